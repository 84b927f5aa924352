package io.github.dubboredis.redis;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.DefaultEventLoopGroupProvider;
import io.lettuce.core.resource.Delay;
import io.lettuce.core.resource.EventLoopGroupProvider;
import io.netty.util.HashedWheelTimer;
import io.netty.util.concurrent.DefaultEventExecutorGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutorGroup;

/**
 * The Redis client's threads, shared by every store in the JVM so that their number stays fixed
 * however many registries exist: two I/O threads, two for completions, one timer. Each store gets
 * its own {@link ClientResources} view only to carry its reconnect back-off ({@code reconnect.period}).
 */
final class LettuceResources {

    static {
        // With Netty 4.2 (as Dubbo 3.3 brings it) both epoll and io_uring are present on Linux; Lettuce then
        // picks epoll anyway but warns about it at every connect. Saying so up front changes nothing else,
        // and a value the application set itself is left alone.
        if (System.getProperty("io.lettuce.core.iouring") == null) {
            System.setProperty("io.lettuce.core.iouring", "false");
        }
    }

    private static final int IO_THREADS = 2;
    private static final int COMPUTATION_THREADS = 2;

    private static int users;
    private static EventLoopGroupProvider eventLoops;
    private static EventExecutorGroup computation;
    private static HashedWheelTimer timer;

    private LettuceResources() {
    }

    /** Resources for one store; give them back with {@link #release}. */
    static synchronized ClientResources acquire(Duration maxReconnectDelay) {
        if (users++ == 0) {
            eventLoops = new DefaultEventLoopGroupProvider(IO_THREADS);
            computation = new DefaultEventExecutorGroup(COMPUTATION_THREADS,
                    new DefaultThreadFactory("dubbo-redis-lettuce-computation", true));
            timer = new HashedWheelTimer(new DefaultThreadFactory("dubbo-redis-lettuce-timer", true));
        }
        long max = Math.max(100, maxReconnectDelay.toMillis());
        // Full jitter: after a Redis restart, a thousand clients must not knock at the same instant.
        Delay backoff = Delay.fullJitter(Duration.ofMillis(50), Duration.ofMillis(max), 50, TimeUnit.MILLISECONDS);
        return DefaultClientResources.builder()
                .eventLoopGroupProvider(eventLoops)
                .eventExecutorGroup(computation)
                .timer(timer)
                .reconnectDelay(backoff)
                .build();
    }

    static void release(ClientResources resources) {
        // Shared parts are not shut down by this call: the builder marked them as provided.
        resources.shutdown(0, 2, TimeUnit.SECONDS);
        synchronized (LettuceResources.class) {
            if (--users == 0) {
                eventLoops.shutdown(0, 2, TimeUnit.SECONDS);
                computation.shutdownGracefully(0, 2, TimeUnit.SECONDS);
                timer.stop();
                eventLoops = null;
                computation = null;
                timer = null;
            }
        }
    }
}
