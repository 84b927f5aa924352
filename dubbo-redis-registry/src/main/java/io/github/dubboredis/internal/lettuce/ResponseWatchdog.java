package io.github.dubboredis.internal.lettuce;

import java.net.SocketAddress;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;

/**
 * Closes a connection on which Redis has sent nothing back for {@code boundMillis} while something we sent
 * waits for an answer: a Redis host powered off, or a network that drops packets without a reset, which
 * TCP alone notices only after many minutes. The client then reconnects (or, with {@code cluster=failover},
 * the registry moves on). Works on every transport, native or not, and also through a middlebox that
 * acknowledges bytes but never delivers them, which kernel timeouts cannot see. Every link sends a PING
 * periodically, so an idle connection is checked too. Runs on the channel's event loop; no locks.
 */
final class ResponseWatchdog extends ChannelDuplexHandler {

    static final String NAME = "dubbo-redis-response-watchdog";

    private final long boundNanos;
    private final BiConsumer<SocketAddress, Long> onDead;
    /** When the oldest write still unanswered went out (nanoTime); 0 when none waits. */
    private long waitingSince;
    private ScheduledFuture<?> check;

    /** @param onDead told (address, silence in ms) when a connection is closed for its silence */
    ResponseWatchdog(long boundMillis, BiConsumer<SocketAddress, Long> onDead) {
        this.boundNanos = TimeUnit.MILLISECONDS.toNanos(boundMillis);
        this.onDead = onDead;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        long period = Math.max(50, TimeUnit.NANOSECONDS.toMillis(boundNanos) / 4);
        check = ctx.executor().scheduleAtFixedRate(() -> checkSilence(ctx), period, period, TimeUnit.MILLISECONDS);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        stop();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        stop();
        super.channelInactive(ctx);
    }

    private void stop() {
        if (check != null) {
            check.cancel(false);
            check = null;
        }
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        if (waitingSince == 0) {
            waitingSince = System.nanoTime();
        }
        super.write(ctx, msg, promise);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        waitingSince = 0; // Redis answers: alive (later writes start a new wait)
        super.channelRead(ctx, msg);
    }

    private void checkSilence(ChannelHandlerContext ctx) {
        long since = waitingSince;
        if (since == 0 || !ctx.channel().isActive()) {
            return;
        }
        long silent = System.nanoTime() - since;
        if (silent > boundNanos) {
            waitingSince = 0;
            onDead.accept(ctx.channel().remoteAddress(), TimeUnit.NANOSECONDS.toMillis(silent));
            ctx.channel().close();
        }
    }
}
