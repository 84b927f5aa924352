package io.github.dubboredis.it.faults;

import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.dubbo.common.URL;

import io.github.dubboredis.demo.DubboApps;

/**
 * Watches a consumer's provider list (every few milliseconds, in the background, for a bounded time)
 * and remembers the smallest it ever was, and every provider that ever left it: the evidence that a
 * consumer was, or was never, told a provider was gone.
 */
final class ProviderListSampler implements AutoCloseable {

    private final Thread thread;
    private final AtomicInteger smallest = new AtomicInteger(Integer.MAX_VALUE);
    private final Set<String> everSeen = new TreeSet<>();
    private final Set<String> everDropped = new TreeSet<>();
    private volatile boolean stopped;

    ProviderListSampler(DubboApps.Consumer consumer, Duration maxDuration) {
        long deadline = System.nanoTime() + maxDuration.toNanos();
        thread = new Thread(() -> {
            Set<String> previous = new TreeSet<>();
            while (!stopped && System.nanoTime() < deadline) {
                Set<String> now = new TreeSet<>();
                for (URL u : consumer.providerUrls()) {
                    now.add(u.getParameter("remote.application", u.getAddress()));
                }
                synchronized (this) {
                    smallest.accumulateAndGet(now.size(), Math::min);
                    everSeen.addAll(now);
                    for (String p : previous) {
                        if (!now.contains(p)) {
                            everDropped.add(p);
                        }
                    }
                }
                previous = now;
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "provider-list-sampler");
        thread.setDaemon(true);
        thread.start();
    }

    int smallestSize() {
        return smallest.get();
    }

    synchronized Set<String> everDropped() {
        return new TreeSet<>(everDropped);
    }

    @Override
    public void close() {
        stopped = true;
        thread.interrupt();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
