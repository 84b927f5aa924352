package io.github.dubboredis.internal.lettuce;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.DefaultEventLoopGroupProvider;
import io.lettuce.core.resource.Delay;
import io.lettuce.core.resource.EventLoopGroupProvider;
import io.lettuce.core.resource.NettyCustomizer;
import io.netty.util.HashedWheelTimer;
import io.netty.util.concurrent.DefaultEventExecutorGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutorGroup;

/**
 * The Redis client's threads of one runtime, shared by all its stores so that their number stays fixed
 * however many registries exist: two I/O threads, two for completions, one timer. Each store gets its own
 * {@link ClientResources} view on them, to carry its reconnect back-off and its dead-connection watchdog.
 * Created by the runtime that owns it and shut down with it, never held in a static.
 */
final class LettuceResources implements AutoCloseable {

    private static final int IO_THREADS = 2;
    private static final int COMPUTATION_THREADS = 2;

    private final EventLoopGroupProvider eventLoops;
    private final EventExecutorGroup computation;
    private final HashedWheelTimer timer;

    LettuceResources(String threadPrefix) {
        this.eventLoops = new DefaultEventLoopGroupProvider(IO_THREADS,
                (io.lettuce.core.resource.ThreadFactoryProvider) poolName -> new DefaultThreadFactory(threadPrefix + "-io", true));
        this.computation = new DefaultEventExecutorGroup(COMPUTATION_THREADS,
                new DefaultThreadFactory(threadPrefix + "-computation", true));
        this.timer = new HashedWheelTimer(new DefaultThreadFactory(threadPrefix + "-timer", true));
    }

    /** Resources for one store; its own shutdown leaves the shared threads alone. */
    ClientResources forStore(Duration maxReconnectDelay, NettyCustomizer customizer) {
        long max = Math.max(100, maxReconnectDelay.toMillis());
        // Full jitter: after a Redis restart, a thousand clients must not knock at the same instant.
        Delay backoff = Delay.fullJitter(Duration.ofMillis(50), Duration.ofMillis(max), 50, TimeUnit.MILLISECONDS);
        return DefaultClientResources.builder()
                .eventLoopGroupProvider(eventLoops)
                .eventExecutorGroup(computation)
                .timer(timer)
                .reconnectDelay(backoff)
                .nettyCustomizer(customizer)
                .build();
    }

    @Override
    public void close() {
        eventLoops.shutdown(0, 2, TimeUnit.SECONDS);
        computation.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        timer.stop();
    }
}
