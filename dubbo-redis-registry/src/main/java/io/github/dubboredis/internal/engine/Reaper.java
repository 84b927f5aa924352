package io.github.dubboredis.internal.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import io.github.dubboredis.internal.model.CategoryKey;
import io.github.dubboredis.internal.model.Keyspace;
import io.github.dubboredis.internal.model.LeaseTimings;
import io.github.dubboredis.internal.report.RegistryObserver;
import io.github.dubboredis.internal.report.ReportLimiter;
import io.github.dubboredis.internal.store.KeyPage;
import io.github.dubboredis.internal.store.Lease;
import io.github.dubboredis.internal.store.RedisAccessException;
import io.github.dubboredis.internal.store.RegistryStore;
import io.github.dubboredis.internal.store.ScanStep;
import io.github.dubboredis.internal.time.Availability;
import io.github.dubboredis.internal.time.RedisClock;

/**
 * Removes the entries of registries that died without unregistering, and announces each removal, so that
 * every watcher (ours and the older registry's) drops them. Any registry does this, not only an admin.
 *
 * <p>Every reap period, each registry asks the owners set for leases that expired recently: one
 * {@code ZREVRANGEBYSCORE} that costs nothing while nobody has died. For a dead owner, one registry (the one
 * that takes its short claim) walks the keys its lease names and removes, page by page, the entries whose
 * value is that lease's expiry, with a server-side step that re-checks the expiry on Redis's clock: an
 * owner that renewed a moment before keeps its entries. Then the lease ends.
 *
 * <p>Whatever the owners set holds, the work per period is bounded: of the {@value #CANDIDATES_PER_PASS} most
 * recently expired members, those that are not owner ids are dropped in one command, those whose record names no
 * key are ended at once, and at most {@value #OWNERS_PER_PASS} dead owners with keys are reaped; leases older than
 * the window are dropped unreaped (their entries are left to the sweep) in batches of {@value #STALE_PER_PASS}.
 */
final class Reaper {

    /** Dead owners handled per reap period, most recently expired first. */
    static final int OWNERS_PER_PASS = 32;
    /** Members of the owners set looked at per period: those that are not owner ids are dropped at once. */
    static final int CANDIDATES_PER_PASS = 512;
    /** Entries examined per server-side step. */
    static final int STEP = 256;
    /** Members of a dead owner's key set read per page. */
    static final int KEYS_PER_PAGE = 100;
    /** Leases too old to reap dropped per period. */
    static final int STALE_PER_PASS = 512;

    private final RegistryStore store;
    private final Keyspace keyspace;
    private final RedisClock clock;
    private final LeaseTimings timings;
    private final RegistryObserver observer;
    private final ReportLimiter reports;
    private final Availability availability;
    private final String claimToken = UUID.randomUUID().toString();

    Reaper(RegistryStore store, Keyspace keyspace, RedisClock clock, LeaseTimings timings, RegistryObserver observer,
            ReportLimiter reports, Availability availability) {
        this.store = store;
        this.keyspace = keyspace;
        this.clock = clock;
        this.timings = timings;
        this.observer = observer;
        this.reports = reports;
        this.availability = availability;
    }

    /** How far back expired leases are reaped; older ones are left to the sweep. */
    private long windowMillis() {
        return Math.max(timings.session().toMillis() * 10, timings.settlePeriod().toMillis() * 2);
    }

    /**
     * One reaping pass; completes with the number of entries removed. Does nothing while expiries cannot be
     * trusted (right after Redis was unreachable: see {@link Availability}).
     */
    CompletableFuture<Integer> reapExpiredLeases() {
        return clock.sync(store).thenCompose(ignored -> {
            if (!availability.expiriesTrusted()) {
                return CompletableFuture.completedFuture(0);
            }
            long now = clock.now();
            CompletableFuture<Void> stale = dropStaleLeases(now - windowMillis());
            // Strictly before now: the server-side step removes only entries whose value lies in the past.
            return stale.thenCompose(x -> store.expiredLeases(keyspace, now - 1, now - windowMillis(), CANDIDATES_PER_PASS))
                    .thenCompose(this::reapAll);
        });
    }

    private CompletableFuture<Void> dropStaleLeases(long before) {
        return store.leasesExpiredBefore(keyspace, before, STALE_PER_PASS)
                .thenCompose(members -> members.isEmpty() ? CompletableFuture.completedFuture(null)
                        : store.dropLeases(keyspace, members));
    }

    /**
     * Members that are not owner ids are dropped at once. Of the owner ids, the first page of each one's key set is
     * read together: a lease whose record is gone or empty (a member someone added by hand, or an owner that never
     * owned a key) has nothing to reap and is ended at once, so that any number of those delays no real reaping.
     * The dead owners with keys are then reaped one after the other, at most {@value #OWNERS_PER_PASS}: a flood of
     * leases costs time, never a pile of concurrent work.
     */
    private CompletableFuture<Integer> reapAll(List<Lease> leases) {
        List<String> garbage = new ArrayList<>();
        List<Lease> owners = new ArrayList<>();
        for (Lease lease : leases) {
            if (Keyspace.isOwnerId(lease.ownerId())) {
                owners.add(lease);
            } else {
                garbage.add(lease.ownerId());
            }
        }
        CompletableFuture<Void> dropped = CompletableFuture.completedFuture(null);
        if (!garbage.isEmpty()) {
            if (reports.shouldReport("owners\n" + keyspace.ownersKey())) {
                observer.malformedKey(keyspace.ownersKey(), garbage.size() + " member(s) that are not owner ids of this "
                        + "registry, e.g. '" + garbage.get(0) + "'; removed");
            }
            dropped = store.dropLeases(keyspace, garbage);
        }
        List<CompletableFuture<KeyPage>> firstPages = new ArrayList<>(owners.size());
        for (Lease lease : owners) {
            firstPages.add(store.ownedKeys(keyspace, lease.ownerId(), null, KEYS_PER_PAGE));
        }
        CompletableFuture<Integer> reaped = CompletableFuture.allOf(firstPages.toArray(CompletableFuture[]::new))
                .handle((ignored, failure) -> {
                    List<CompletableFuture<Void>> ended = new ArrayList<>();
                    CompletableFuture<Integer> total = CompletableFuture.completedFuture(0);
                    int withKeys = 0;
                    for (int i = 0; i < owners.size(); i++) {
                        Lease lease = owners.get(i);
                        KeyPage first = firstPages.get(i).isCompletedExceptionally() ? null : firstPages.get(i).join();
                        if (first != null && first.keys().isEmpty() && first.last()) {
                            ended.add(store.endLease(keyspace, lease.ownerId(), lease.expiry()));
                        } else if (withKeys++ < OWNERS_PER_PASS) {
                            total = total.thenCompose(sum -> reapOwner(lease).thenApply(n -> sum + n));
                        }
                    }
                    CompletableFuture<Integer> sum = total;
                    return CompletableFuture.allOf(ended.toArray(CompletableFuture[]::new)).thenCompose(x -> sum);
                })
                .thenCompose(f -> f);
        return reaped.thenCombine(dropped, (n, x) -> n);
    }

    private CompletableFuture<Integer> reapOwner(Lease lease) {
        long claimMillis = Math.max(timings.reapPeriod().toMillis() * 4, 10_000);
        // Held through the walk: a dead owner's huge keys may take longer than the claim (see HeldLock).
        HeldLock claim = new HeldLock(store, keyspace.reapClaimKey(lease.ownerId()), claimToken, claimMillis);
        return claim.take().thenCompose(claimed -> {
            if (!claimed) {
                return CompletableFuture.completedFuture(0); // another registry reaps this one
            }
            String value = Long.toString(lease.expiry());
            return reapKeys(lease, value, null, 0, claim).thenCompose(n -> claim.lost() ? CompletableFuture.completedFuture(n)
                    : store.endLease(keyspace, lease.ownerId(), lease.expiry()).thenApply(x -> n));
        });
    }

    /** Stops if another registry took the claim meanwhile (it finishes the reap). */
    private CompletableFuture<Integer> reapKeys(Lease lease, String value, Object from, int removedSoFar, HeldLock claim) {
        if (claim.lost()) {
            return CompletableFuture.completedFuture(removedSoFar);
        }
        return store.ownedKeys(keyspace, lease.ownerId(), from, KEYS_PER_PAGE).thenCompose((KeyPage page) -> {
            CompletableFuture<Integer> sum = CompletableFuture.completedFuture(removedSoFar);
            for (String name : page.keys()) {
                Optional<CategoryKey> key = keyspace.parseEntryKey(name);
                if (key.isEmpty()) {
                    // Someone edited the lease: never delete or announce outside the registry's own keys.
                    if (reports.shouldReport("owner-key\n" + name)) {
                        observer.malformedKey(keyspace.ownerKeysKey(lease.ownerId()), "names '" + name
                                + "', which is not a key of this registry; ignored");
                    }
                    continue;
                }
                sum = sum.thenCompose(n -> reapKey(key.get(), value, "0", 0, claim).thenApply(m -> n + m));
            }
            return page.last() ? sum : sum.thenCompose(n -> reapKeys(lease, value, page.next(), n, claim));
        });
    }

    /** Walks one key in bounded steps, removing the dead owner's entries; reported once for the key, not per step. */
    private CompletableFuture<Integer> reapKey(CategoryKey key, String value, String cursor, int removedSoFar, HeldLock claim) {
        if (claim.lost()) {
            return CompletableFuture.completedFuture(removedSoFar);
        }
        long started = store.scheduler().nanoTime();
        return store.removeOwnerEntries(key, value, cursor, STEP).handle((ScanStep step, Throwable e) -> {
            if (e != null) {
                reportRemoved(key, removedSoFar);
                if (RedisAccessException.isWrongType(e)) {
                    return CompletableFuture.completedFuture(removedSoFar); // not a hash (reported by readers)
                }
                return CompletableFuture.<Integer>failedFuture(e);
            }
            int removed = removedSoFar + step.removed();
            if (step.last()) {
                reportRemoved(key, removed);
                return CompletableFuture.completedFuture(removed);
            }
            return Pacing.after(store.scheduler(), Pacing.since(store.scheduler(), started),
                    () -> claim.keep().thenCompose(held -> {
                        if (!held) {
                            reportRemoved(key, removed);
                            return CompletableFuture.completedFuture(removed);
                        }
                        return reapKey(key, value, step.cursor(), removed, claim);
                    }));
        }).thenCompose(f -> f);
    }

    private void reportRemoved(CategoryKey key, int removed) {
        if (removed > 0) {
            observer.reaped(key.redisKey(), removed);
        }
    }
}
