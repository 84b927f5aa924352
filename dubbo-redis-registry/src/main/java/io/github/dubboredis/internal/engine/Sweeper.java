package io.github.dubboredis.internal.engine;

import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import io.github.dubboredis.internal.model.CategoryKey;
import io.github.dubboredis.internal.model.Keyspace;
import io.github.dubboredis.internal.model.LeaseTimings;
import io.github.dubboredis.internal.report.RegistryObserver;
import io.github.dubboredis.internal.report.ReportLimiter;
import io.github.dubboredis.internal.store.KeyPage;
import io.github.dubboredis.internal.store.RedisAccessException;
import io.github.dubboredis.internal.store.RegistryStore;
import io.github.dubboredis.internal.store.ScanStep;
import io.github.dubboredis.internal.time.Availability;

/**
 * Removes what no lease covers: entries of older registries (stamped with their writer's clock, so removed
 * only a grace margin past their expiry) and anything a reaper could not reach. Once per sweep period one
 * registry, elected by a short lock, walks every key under the root and every application's instances key
 * (SCAN, then each hash in HSCAN steps of {@value #STEP} entries), so that no step holds Redis for long
 * however big a key is.
 */
final class Sweeper {

    static final int STEP = 256;
    static final int KEYS_PER_PAGE = 100;

    private final RegistryStore store;
    private final Keyspace keyspace;
    private final LeaseTimings timings;
    private final RegistryObserver observer;
    private final ReportLimiter reports;
    private final Availability availability;
    private final String sweeperId = UUID.randomUUID().toString();

    Sweeper(RegistryStore store, Keyspace keyspace, LeaseTimings timings, RegistryObserver observer, ReportLimiter reports,
            Availability availability) {
        this.store = store;
        this.keyspace = keyspace;
        this.timings = timings;
        this.observer = observer;
        this.reports = reports;
        this.availability = availability;
    }

    /**
     * If elected for this period, sweeps and completes with the number removed; -1 if another registry holds
     * this period's sweep.
     */
    CompletableFuture<Integer> sweepIfElected() {
        long lockMillis = Math.max(1, timings.sweepPeriod().toMillis() * 9 / 10);
        HeldLock lock = new HeldLock(store, keyspace.sweepLockKey(), sweeperId, lockMillis);
        return lock.take().thenCompose(won -> won ? sweep(lock) : CompletableFuture.completedFuture(-1));
    }

    /** One sweep of the root and the instances keys, without the election. */
    CompletableFuture<Integer> sweep() {
        return sweep(HeldLock.none(store));
    }

    /** Held through the whole walk: a sweep of huge keys may outlast the lock's TTL (see {@link HeldLock}). */
    private CompletableFuture<Integer> sweep(HeldLock lock) {
        if (!availability.expiriesTrusted()) {
            return CompletableFuture.completedFuture(0);
        }
        long grace = timings.reapGrace().toMillis();
        return sweepPattern(lock, grace, keyspace.pattern(), null, 0)
                .thenCompose(n -> sweepPattern(lock, grace, keyspace.instancesPrefix() + "*", null, n));
    }

    private CompletableFuture<Integer> sweepPattern(HeldLock lock, long grace, String pattern, Object from,
            int removedSoFar) {
        if (lock.lost()) {
            return CompletableFuture.completedFuture(removedSoFar);
        }
        return store.scanKeys(pattern, from, KEYS_PER_PAGE).thenCompose((KeyPage page) -> {
            CompletableFuture<Integer> sum = CompletableFuture.completedFuture(removedSoFar);
            for (String name : page.keys()) {
                Optional<CategoryKey> key = keyspace.parseEntryKey(name);
                if (key.isEmpty()) {
                    continue; // readers report such keys; the sweep only removes entries
                }
                sum = sum.thenCompose(n -> sweepKey(lock, grace, key.get(), "0", 0).thenApply(m -> n + m));
            }
            return page.last() ? sum : sum.thenCompose(n -> sweepPattern(lock, grace, pattern, page.next(), n));
        });
    }

    /**
     * Walks one key in bounded steps; the removals are reported once for the whole key, not per step (a key
     * of 200,000 expired entries is one log line, not 800).
     */
    private CompletableFuture<Integer> sweepKey(HeldLock lock, long grace, CategoryKey key, String cursor,
            int removedSoFar) {
        if (lock.lost()) {
            return CompletableFuture.completedFuture(removedSoFar);
        }
        long started = store.scheduler().nanoTime();
        return store.removeExpiredEntries(key, grace, cursor, STEP).handle((ScanStep step, Throwable e) -> {
            if (e != null) {
                reportRemoved(key, removedSoFar);
                if (RedisAccessException.isWrongType(e)) {
                    if (reports.shouldReport("key\n" + key.redisKey())) {
                        observer.malformedKey(key.redisKey(), "not a hash; the registry skips it");
                    }
                    return CompletableFuture.completedFuture(removedSoFar);
                }
                return CompletableFuture.<Integer>failedFuture(e);
            }
            int removed = removedSoFar + step.removed();
            if (step.last()) {
                reportRemoved(key, removed);
                return CompletableFuture.completedFuture(removed);
            }
            return Pacing.after(store.scheduler(), Pacing.since(store.scheduler(), started),
                    () -> lock.keep().thenCompose(held -> {
                        if (!held) { // another registry sweeps now; it walks this key again
                            reportRemoved(key, removed);
                            return CompletableFuture.completedFuture(removed);
                        }
                        return sweepKey(lock, grace, key, step.cursor(), removed);
                    }));
        }).thenCompose(f -> f);
    }

    private void reportRemoved(CategoryKey key, int removed) {
        if (removed > 0) {
            observer.reaped(key.redisKey(), removed);
        }
    }
}
