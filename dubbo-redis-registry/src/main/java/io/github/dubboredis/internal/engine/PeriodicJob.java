package io.github.dubboredis.internal.engine;

import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import io.github.dubboredis.internal.report.RegistryObserver;
import io.github.dubboredis.internal.store.RedisAccessException;
import io.github.dubboredis.internal.time.Availability;

/**
 * A periodic job of the engine: never throws (that would end its schedule), never overlaps itself, and
 * reports a failure once when it starts failing rather than every period.
 */
final class PeriodicJob {

    private final String name;
    private final RegistryObserver observer;
    private final Availability availability;
    private boolean running;
    private boolean failing;

    PeriodicJob(String name, RegistryObserver observer, Availability availability) {
        this.name = name;
        this.observer = observer;
        this.availability = availability;
    }

    void run(Supplier<CompletableFuture<Integer>> job) {
        synchronized (this) {
            if (running) {
                return;
            }
            running = true;
        }
        CompletableFuture<Integer> f;
        try {
            f = job.get();
        } catch (RuntimeException e) {
            f = CompletableFuture.failedFuture(e);
        }
        f.whenComplete((ok, e) -> {
            if (e == null) {
                availability.succeeded();
            } else if (RedisAccessException.isUnavailability(e)) {
                availability.failed();
            }
            synchronized (this) {
                running = false;
                if (e != null && !failing) {
                    failing = true;
                    observer.backgroundJobFailed(name, e);
                } else if (e == null && failing) {
                    failing = false;
                    observer.backgroundJobRecovered(name);
                }
            }
        });
    }
}
