package io.github.dubboredis.internal.engine;

import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import io.github.dubboredis.internal.concurrent.Scheduler;

/**
 * How a background walk (a sweep, a reap) leaves Redis to everyone else between its steps: the next step waits as
 * long as the last one took, and at least a millisecond. So however big a key, a walk takes at most about half of
 * Redis's time, instead of keeping it busy from the first step to the last (a sweep of a million expired entries
 * at full speed kept Redis 80% busy for 14 s).
 */
final class Pacing {

    private Pacing() {
    }

    /**
     * Starts {@code next} once the pause after a step that took {@code stepNanos} is over. (Chained with thenCompose:
     * a walk of thousands of steps completes through CompletableFuture's own relay, without recursion.)
     */
    static <T> CompletableFuture<T> after(Scheduler scheduler, long stepNanos, Supplier<CompletableFuture<T>> next) {
        long pauseMillis = Math.max(1, (stepNanos + 999_999) / 1_000_000);
        CompletableFuture<Void> pause = new CompletableFuture<>();
        scheduler.schedule(() -> pause.complete(null), pauseMillis);
        return pause.thenCompose(x -> next.get());
    }

    static long since(Scheduler scheduler, long startNanos) {
        return Math.max(0, scheduler.nanoTime() - startNanos);
    }
}
