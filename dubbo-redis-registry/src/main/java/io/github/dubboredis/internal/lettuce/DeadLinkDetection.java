package io.github.dubboredis.internal.lettuce;

import java.time.Duration;
import java.util.function.BiConsumer;

import io.github.dubboredis.config.ConnectionSettings;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.resource.EpollProvider;
import io.lettuce.core.resource.IOUringProvider;
import io.lettuce.core.resource.NettyCustomizer;
import io.netty.channel.Channel;

/**
 * How a connection to a node that vanished without closing it is noticed, with what the platform offers.
 * Everywhere: TCP keep-alive, and an application-level watchdog ({@link ResponseWatchdog}) that closes a
 * connection silent for {@code timeout + connect.timeout} while a command waits, with a PING on every link
 * every {@code connect.timeout} so that an idle one is checked too. Where Netty's native transport is loaded
 * (epoll or io_uring, Linux), also the kernel's {@code TCP_USER_TIMEOUT} with the same bound. Without the
 * native transport (macOS, Windows, {@code -Dio.netty.transport.noNative=true}) the watchdog alone does it:
 * Lettuce refuses {@code TCP_USER_TIMEOUT} there, which is why it is only asked for where it applies.
 */
final class DeadLinkDetection {

    private final boolean nativeTransport;
    private final Duration silenceBound;
    private final Duration heartbeat;

    DeadLinkDetection(ConnectionSettings settings) {
        this.nativeTransport = nativeTransportLoaded();
        this.silenceBound = settings.commandTimeout().plus(settings.connectTimeout());
        this.heartbeat = settings.connectTimeout();
    }

    static boolean nativeTransportLoaded() {
        try {
            return EpollProvider.isAvailable() || IOUringProvider.isAvailable();
        } catch (LinkageError e) {
            return false; // the native classes are not even on the class path
        }
    }

    /** How long a connection may stay silent while a command waits. */
    Duration silenceBound() {
        return silenceBound;
    }

    /** How often every link is pinged. */
    Duration heartbeat() {
        return heartbeat;
    }

    /** The longest a vanished node goes unnoticed: a heartbeat, then the silence bound, then one check period. */
    Duration detectionBound() {
        return heartbeat.plus(silenceBound).plus(silenceBound.dividedBy(4));
    }

    SocketOptions.Builder apply(SocketOptions.Builder socket) {
        socket.keepAlive(SocketOptions.KeepAliveOptions.builder().enable()
                .idle(max(heartbeat, Duration.ofSeconds(1)))
                .interval(Duration.ofSeconds(1))
                .count(3)
                .build());
        if (nativeTransport) {
            socket.tcpUserTimeout(SocketOptions.TcpUserTimeoutOptions.builder().enable()
                    .tcpUserTimeout(silenceBound)
                    .build());
        }
        return socket;
    }

    /** Adds the watchdog to every connection a client opens. */
    NettyCustomizer customizer(BiConsumer<java.net.SocketAddress, Long> onDead) {
        long bound = silenceBound.toMillis();
        return new NettyCustomizer() {
            @Override
            public void afterChannelInitialized(Channel channel) {
                channel.pipeline().addFirst(ResponseWatchdog.NAME, new ResponseWatchdog(bound, onDead));
            }
        };
    }

    /** What is in use, said once per store. */
    String describe() {
        return "dead connections are noticed within " + detectionBound().toMillis() + " ms (settings 'timeout', "
                + "'connect.timeout'): a PING every " + heartbeat.toMillis() + " ms and a watchdog that closes a "
                + "connection silent for " + silenceBound.toMillis() + " ms" + (nativeTransport
                ? ", and the kernel's TCP_USER_TIMEOUT (native transport)"
                : "; no native transport is loaded (not Linux, or io.netty.transport.noNative), so no TCP_USER_TIMEOUT");
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
