package io.github.dubboredis.registry;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import io.github.dubboredis.redis.RedisAccessException;
import io.github.dubboredis.redis.RedisStore;

/**
 * Removes the entries of registries that died without unregistering, and announces each removal, so
 * that every watcher (ours and the older registry's) drops them. Any registry does this, not only an
 * admin. Two passes keep it cheap on a Redis shared by many registries:
 *
 * <ul>
 *   <li>every reap period, each registry asks the lease index for leases past their expiry: one
 *       {@code ZRANGEBYSCORE} that costs nothing while nobody has died;</li>
 *   <li>every sweep period, one registry, elected by a short lock, scans the root for entries that are
 *       not in the index (written by older registries) and reaps those a grace margin past expiry.</li>
 * </ul>
 *
 * Both delete with server-side scripts that re-check the expiry on Redis's clock at the moment of
 * deletion, so a lease renewed in between is never lost.
 */
final class Reaper {

    private static final int BATCH = 512;

    private final RedisStore store;
    private final RegistryRoot root;
    private final RedisClock clock;
    private final LeaseTimings timings;
    private final RegistryObserver observer;
    private final OnceLog reportedKeys;
    private final Availability availability;
    private final String sweeperId = UUID.randomUUID().toString();
    /**
     * Keys whose node could not be reached (say, a Redis Cluster slot in failover), with the time (Redis
     * clock) from which their expiries are trusted again: their owners could not renew meanwhile either.
     * A whole-Redis outage is {@link Availability}'s; this is the same idea for one key's node.
     */
    private final java.util.concurrent.ConcurrentMap<String, Long> keysSettling = new java.util.concurrent.ConcurrentHashMap<>();
    private final long settleMillis;

    Reaper(RedisStore store, RegistryRoot root, RedisClock clock, LeaseTimings timings, RegistryObserver observer,
            OnceLog reportedKeys, Availability availability) {
        this.store = store;
        this.root = root;
        this.clock = clock;
        this.timings = timings;
        this.observer = observer;
        this.reportedKeys = reportedKeys;
        this.availability = availability;
        this.settleMillis = timings.settlePeriod().toMillis();
    }

    /**
     * Reaps expired leases from the index; completes with the number of entries removed. Does nothing
     * while expiries cannot be trusted (right after Redis was unreachable: see {@link Availability}).
     */
    CompletableFuture<Integer> reapExpiredLeases() {
        return clock.sync(store).thenCompose(ignored -> availability.expiriesTrusted()
                ? store.rangeByScore(root.leaseIndexKey(), clock.now(), BATCH).thenCompose(this::reapCandidates)
                : CompletableFuture.completedFuture(0));
    }

    private CompletableFuture<Integer> reapCandidates(Map<String, Double> candidates) {
        if (candidates.isEmpty()) {
            return CompletableFuture.completedFuture(0);
        }
        Map<String, List<String>> argsByKey = new LinkedHashMap<>();
        List<String> unreadable = new ArrayList<>();
        for (Map.Entry<String, Double> c : candidates.entrySet()) {
            int newline = c.getKey().indexOf('\n');
            if (newline <= 0) {
                unreadable.add(c.getKey());
                continue;
            }
            List<String> args = argsByKey.computeIfAbsent(c.getKey().substring(0, newline), k -> new ArrayList<>());
            args.add(c.getKey().substring(newline + 1));
            args.add(Long.toString(c.getValue().longValue()));
        }
        List<CompletableFuture<Integer>> perKey = new ArrayList<>();
        for (Map.Entry<String, List<String>> e : argsByKey.entrySet()) {
            String key = e.getKey();
            Long settling = keysSettling.get(key);
            if (settling != null) {
                perKey.add(probe(key, settling));
                continue;
            }
            perKey.add(store.runScript(RegistryScripts.REAP_EXPIRED_LEASES, key, e.getValue()).thenCompose(result -> {
                int removed = ((Number) result.get(0)).intValue();
                List<String> members = new ArrayList<>();
                for (Object field : result.subList(1, result.size())) {
                    members.add(Registrar.leaseMember(key, String.valueOf(field)));
                }
                if (removed > 0) {
                    observer.reaped(key, removed);
                }
                return store.removeScored(root.leaseIndexKey(), members).thenApply(ignored -> removed);
            }).exceptionallyCompose(failure -> {
                if (RedisAccessException.isWrongType(failure)) {
                    // The key was overwritten with another type: its leases are meaningless now.
                    List<String> members = new ArrayList<>();
                    for (int i = 0; i < e.getValue().size(); i += 2) {
                        members.add(Registrar.leaseMember(key, e.getValue().get(i)));
                    }
                    return store.removeScored(root.leaseIndexKey(), members).thenApply(ignored -> 0);
                }
                keysSettling.put(key, Long.MAX_VALUE); // unreachable: leave it alone until it answers again
                return CompletableFuture.failedFuture(failure);
            }));
        }
        CompletableFuture<Void> dropUnreadable = store.removeScored(root.leaseIndexKey(), unreadable);
        return dropUnreadable.thenCompose(ignored -> sum(perKey));
    }

    /**
     * A key whose node did not answer is not reaped the moment it answers again: first a harmless read
     * tells that it does, then its owners get a renew period to renew what they could not.
     */
    private CompletableFuture<Integer> probe(String key, long trustedFrom) {
        if (trustedFrom != Long.MAX_VALUE) {
            if (clock.now() >= trustedFrom) {
                keysSettling.remove(key, trustedFrom); // reaped from the next pass on
            }
            return CompletableFuture.completedFuture(0);
        }
        return store.readField(key, "").handle((ignored, e) -> {
            if (e == null || RedisAccessException.isWrongType(e)) {
                keysSettling.put(key, clock.now() + settleMillis);
            }
            return 0;
        });
    }

    /**
     * If elected for this period, scans the whole root and reaps entries of older registries that are
     * past their expiry by more than the grace; completes with the number removed (-1 if not elected).
     */
    CompletableFuture<Integer> sweepIfElected() {
        long lockMillis = Math.max(1, timings.sweepPeriod().toMillis() * 9 / 10);
        return store.tryLock(root.sweepLockKey(), sweeperId, lockMillis).thenCompose(won -> won
                ? sweep()
                : CompletableFuture.completedFuture(-1));
    }

    CompletableFuture<Integer> sweep() {
        if (!availability.expiriesTrusted()) {
            return CompletableFuture.completedFuture(0);
        }
        String grace = Long.toString(timings.reapGrace().toMillis());
        return store.scanKeys(root.pattern()).thenCompose(keys -> sweepBatch(keys, 0, grace, 0));
    }

    private CompletableFuture<Integer> sweepBatch(List<String> keys, int from, String grace, int removedSoFar) {
        if (from >= keys.size()) {
            return CompletableFuture.completedFuture(removedSoFar);
        }
        List<CompletableFuture<Integer>> batch = new ArrayList<>();
        for (String key : keys.subList(from, Math.min(keys.size(), from + BATCH))) {
            batch.add(store.runScript(RegistryScripts.SWEEP_EXPIRED, key, List.of(grace)).handle((result, e) -> {
                if (e != null) {
                    if (RedisAccessException.isWrongType(e)) {
                        if (reportedKeys.firstTime("type\n" + key)) {
                            observer.malformedKey(key, "not a hash; the registry skips it");
                        }
                        return 0;
                    }
                    throw new java.util.concurrent.CompletionException(e);
                }
                int removed = ((Number) result.get(0)).intValue();
                if (removed > 0) {
                    observer.reaped(key, removed);
                }
                return removed;
            }));
        }
        return sum(batch).thenCompose(n -> sweepBatch(keys, from + BATCH, grace, removedSoFar + n));
    }

    private static CompletableFuture<Integer> sum(List<CompletableFuture<Integer>> parts) {
        return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).thenApply(ignored -> {
            int total = 0;
            for (CompletableFuture<Integer> p : parts) {
                total += p.join();
            }
            return total;
        });
    }
}
