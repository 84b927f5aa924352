package io.github.dubboredis.it.governance;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

import org.apache.dubbo.rpc.RpcContext;

import io.github.dubboredis.demo.GreetingService;
import io.github.dubboredis.demo.GreetingServiceImpl;

/**
 * Calls a service back to back in the background (optionally with a routing tag), recording who served each
 * call and when it started, and tells when calls started obeying a rule: the first call after which every call
 * obeyed.
 */
final class RuleCalls implements AutoCloseable {

    record Call(long startNanos, String servedBy, String error) {
    }

    private final List<Call> calls = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile boolean stopped;
    private volatile String tag;

    RuleCalls(GreetingService service) {
        thread = new Thread(() -> {
            while (!stopped) {
                String t = tag;
                if (t != null) {
                    RpcContext.getClientAttachment().setAttachment("dubbo.tag", t);
                }
                long started = System.nanoTime();
                try {
                    calls.add(new Call(started, GreetingServiceImpl.providerOf(service.greet("rules")), null));
                } catch (RuntimeException e) {
                    calls.add(new Call(started, null, e.getClass().getSimpleName() + ": " + e.getMessage()));
                }
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "rule-calls");
        thread.setDaemon(true);
        thread.start();
    }

    /** From now on every call carries this routing tag ({@code dubbo.tag}); null: none. */
    void tag(String value) {
        tag = value;
        long mark = System.nanoTime();
        await().atMost(Duration.ofSeconds(5)).until(() -> calls.stream().anyMatch(c -> c.startNanos() > mark));
    }

    /**
     * Waits until the last {@code stable} calls all obeyed, and returns the milliseconds from {@code sinceNanos} to
     * the start of the first call from which on every call obeyed.
     */
    long millisUntilObeyed(long sinceNanos, Predicate<String> obeys, int stable) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).until(() -> {
            List<Call> after = since(sinceNanos);
            return after.size() >= stable && after.subList(after.size() - stable, after.size()).stream()
                    .allMatch(c -> c.servedBy() != null && obeys.test(c.servedBy()));
        });
        List<Call> after = since(sinceNanos);
        int first = after.size();
        while (first > 0 && after.get(first - 1).servedBy() != null && obeys.test(after.get(first - 1).servedBy())) {
            first--;
        }
        return (after.get(first).startNanos() - sinceNanos) / 1_000_000;
    }

    /** Milliseconds from {@code sinceNanos} to the start of the first call after it that {@code matches}. */
    long millisUntilFirst(long sinceNanos, Predicate<String> matches) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                .until(() -> since(sinceNanos).stream().anyMatch(c -> c.servedBy() != null && matches.test(c.servedBy())));
        return since(sinceNanos).stream().filter(c -> c.servedBy() != null && matches.test(c.servedBy())).findFirst()
                .map(c -> (c.startNanos() - sinceNanos) / 1_000_000).orElseThrow();
    }

    /** Who served the calls that started after a mark. */
    List<String> servedSince(long sinceNanos) {
        List<String> served = new ArrayList<>();
        for (Call c : since(sinceNanos)) {
            served.add(c.servedBy());
        }
        return served;
    }

    /** The failures of calls that started after a mark. */
    List<String> failuresSince(long sinceNanos) {
        List<String> failed = new ArrayList<>();
        for (Call c : since(sinceNanos)) {
            if (c.error() != null) {
                failed.add(c.error());
            }
        }
        return failed;
    }

    int count() {
        return calls.size();
    }

    private List<Call> since(long sinceNanos) {
        List<Call> after = new ArrayList<>();
        for (Call c : calls) {
            if (c.startNanos() >= sinceNanos) {
                after.add(c);
            }
        }
        return after;
    }

    @Override
    public void close() {
        stopped = true;
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
