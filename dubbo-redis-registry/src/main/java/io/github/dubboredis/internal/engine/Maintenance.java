package io.github.dubboredis.internal.engine;

import java.util.concurrent.CompletableFuture;

import io.github.dubboredis.internal.concurrent.Scheduler;
import io.github.dubboredis.internal.watch.Subscriptions;

/**
 * The engine's periodic jobs, run now: for operators' tools and for tests that must not wait for a period.
 * Normally each runs on its own schedule.
 */
public final class Maintenance {

    private final Registrar registrar;
    private final Reaper reaper;
    private final Sweeper sweeper;
    private final Subscriptions subscriptions;
    private final Scheduler scheduler;

    Maintenance(Registrar registrar, Reaper reaper, Sweeper sweeper, Subscriptions subscriptions, Scheduler scheduler) {
        this.registrar = registrar;
        this.reaper = reaper;
        this.sweeper = sweeper;
        this.subscriptions = subscriptions;
        this.scheduler = scheduler;
    }

    /** Renews everything owned; completes with the number of entries written. */
    public CompletableFuture<Integer> renewNow() {
        return registrar.renewAll();
    }

    /** One reaping pass; completes with the number of entries removed. */
    public CompletableFuture<Integer> reapNow() {
        return reaper.reapExpiredLeases();
    }

    /** Takes part in this period's sweep election: the number removed, or -1 if another registry holds it. */
    public CompletableFuture<Integer> sweepIfElectedNow() {
        return sweeper.sweepIfElected();
    }

    /** One sweep of the whole root, without the election. */
    public CompletableFuture<Integer> sweepNow() {
        return sweeper.sweep();
    }

    /** Reads every watched key again. */
    public CompletableFuture<Void> resyncNow(String reason) {
        return CompletableFuture.runAsync(() -> subscriptions.resync(reason, true), scheduler);
    }
}
