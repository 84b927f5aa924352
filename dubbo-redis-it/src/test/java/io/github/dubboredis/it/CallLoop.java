package io.github.dubboredis.it;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;

import io.github.dubboredis.demo.GreetingService;
import io.github.dubboredis.demo.GreetingServiceImpl;

/**
 * Calls a service over and over in the background, as an application under load would, and records
 * who served each call and every failure. Bounded: it stops by itself after {@code maxDuration}.
 */
public final class CallLoop implements AutoCloseable {

    /** One call: when it started and ended, who served it, or why it failed. */
    record Call(long startNanos, long nanos, String servedBy, String error) {
    }

    private final List<Call> calls = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private final Object pause = new Object();
    private volatile boolean stopped;
    private volatile long slowest;

    private CallLoop(GreetingService service, long intervalMillis, Duration maxDuration) {
        long deadline = System.nanoTime() + maxDuration.toNanos();
        thread = new Thread(() -> {
            while (!stopped && System.nanoTime() < deadline) {
                long started = System.nanoTime();
                try {
                    String greeting = service.greet("loop");
                    slowest = Math.max(slowest, System.nanoTime() - started);
                    calls.add(new Call(started, System.nanoTime(), GreetingServiceImpl.providerOf(greeting), null));
                } catch (RuntimeException e) {
                    calls.add(new Call(started, System.nanoTime(), null, e.getClass().getSimpleName() + ": " + e.getMessage()));
                }
                try {
                    synchronized (pause) {
                        if (!stopped) {
                            pause.wait(intervalMillis);
                        }
                    }
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "call-loop");
        thread.setDaemon(true);
    }

    public static CallLoop start(GreetingService service, long intervalMillis, Duration maxDuration) {
        CallLoop loop = new CallLoop(service, intervalMillis, maxDuration);
        loop.thread.start();
        return loop;
    }

    /** A point in time, to count what happened after it. */
    public long mark() {
        return System.nanoTime();
    }

    /** Calls served per provider since the mark. */
    public Map<String, Integer> servedSince(long mark) {
        Map<String, Integer> served = new TreeMap<>();
        for (Call c : calls) {
            if (c.nanos() >= mark && c.servedBy() != null) {
                served.merge(c.servedBy(), 1, Integer::sum);
            }
        }
        return served;
    }

    /**
     * The failures of calls that started after the mark (a call under way at the mark may still be on
     * its retries among providers that were taken away meanwhile).
     */
    public List<String> failuresOfCallsStartedAfter(long mark) {
        List<String> failed = new ArrayList<>();
        for (Call c : calls) {
            if (c.startNanos() >= mark && c.error() != null) {
                failed.add(c.error());
            }
        }
        return failed;
    }

    public List<String> failures() {
        List<String> failed = new ArrayList<>();
        for (Call c : calls) {
            if (c.error() != null) {
                failed.add(c.error());
            }
        }
        return failed;
    }

    /** The slowest successful call so far, in milliseconds. */
    public long slowestMillis() {
        return slowest / 1_000_000;
    }

    public int calls() {
        return calls.size();
    }

    /**
     * Stops after the call under way, if any. Not by interrupting it: Dubbo turns an interrupt into a
     * failed call (and its retries fail too), which would count against the registry.
     */
    @Override
    public void close() {
        stopped = true;
        synchronized (pause) {
            pause.notifyAll();
        }
        try {
            thread.join(15_000); // a call's tries time out after 3 x 3 s
            if (thread.isAlive()) {
                thread.interrupt();
                thread.join(5000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
