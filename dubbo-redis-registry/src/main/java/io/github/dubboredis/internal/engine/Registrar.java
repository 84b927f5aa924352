package io.github.dubboredis.internal.engine;

import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;

import io.github.dubboredis.internal.model.CategoryKey;
import io.github.dubboredis.internal.model.Keyspace;
import io.github.dubboredis.internal.model.LeaseTimings;
import io.github.dubboredis.internal.store.RegistryStore;
import io.github.dubboredis.internal.time.RedisClock;

/**
 * The entries this registry owns, and its lease. Every entry is written as the older registry writes it
 * ({@code HSET key <url> <expiry>}, then {@code PUBLISH key register}), with a change record for this
 * registry's subscribers; and all of them carry the same expiry, that of this registry's lease, which is also
 * its score in the owners set. So renewal is one HSET per key and one ZADD, and a reaper that finds the lease
 * expired removes exactly the entries whose value is that expiry, in the keys the lease names: nothing per
 * entry is stored twice.
 *
 * <p>Every write is dispatched under this object's lock, so a renewal that started before an unregister can
 * never reach Redis after it and bring the entry back.
 *
 * <p>A registration costs one step in Redis (the entry) when the lease already names its key, two when the key is
 * new to this owner (the key is named first). A key whose last entry was unregistered stays named until the next
 * renewal, which forgets it: the unregister/register cycle of a restarting provider writes nothing but its entry,
 * and a reaper that meets such a key finds nothing of the owner's in it.
 */
public final class Registrar {

    static final String REGISTER = "register";

    private final RegistryStore store;
    private final Keyspace keyspace;
    private final RedisClock clock;
    private final LeaseTimings timings;
    private final Runnable entriesFoundMissing;
    private final String ownerId = newOwnerId();
    /** Redis key to (field to dynamic). */
    private final Map<CategoryKey, Map<String, Boolean>> owned = new LinkedHashMap<>();
    /** The keys this owner's key set names (as far as written): the owned ones, and some forgotten at the next renewal. */
    private final Set<CategoryKey> named = new HashSet<>();
    /** The expiry of the lease as last written (Redis clock); 0 before the first write. */
    private long leaseExpiry;

    /**
     * @param entriesFoundMissing told when a renewal found that Redis had lost owned entries (it may have
     *     lost everything: the engine checks)
     */
    Registrar(RegistryStore store, Keyspace keyspace, RedisClock clock, LeaseTimings timings, Runnable entriesFoundMissing) {
        this.store = store;
        this.keyspace = keyspace;
        this.clock = clock;
        this.timings = timings;
        this.entriesFoundMissing = entriesFoundMissing;
    }

    /** 16 random bytes: owner ids never collide, and they carry nothing about the host. */
    private static String newOwnerId() {
        byte[] bytes = new byte[16];
        ThreadLocalRandom.current().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    public String ownerId() {
        return ownerId;
    }

    /**
     * Owns the entry from now on (renewals keep it alive even if this first write fails) and writes it. The
     * first write waits for Redis's clock to be known: an expiry stamped with a skewed local clock could be
     * born dead.
     */
    public CompletableFuture<Void> register(CategoryKey key, String field, boolean dynamic) {
        synchronized (this) {
            owned.computeIfAbsent(key, k -> new LinkedHashMap<>()).put(field, dynamic);
        }
        return clockReady().thenCompose(ignored -> write(key, field));
    }

    private CompletableFuture<Void> clockReady() {
        return clock.isSynced() ? CompletableFuture.completedFuture(null) : clock.sync(store);
    }

    private synchronized CompletableFuture<Void> write(CategoryKey key, String field) {
        if (!owns(key, field)) {
            return CompletableFuture.completedFuture(null); // unregistered while the clock was read
        }
        CompletableFuture<Void> lease = null;
        if (leaseNeedsWriting()) {
            lease = writeLease(List.copyOf(owned.keySet()));
        } else if (named.add(key)) {
            // The lease must name every key with entries in it before the entry exists, or a reaper would miss it.
            lease = store.nameLeaseKeys(keyspace, ownerId, leaseExpiry, List.of(key.redisKey()), recordExpiresAt());
        }
        CompletableFuture<Void> entry = store.putEntry(key, field, Long.toString(leaseExpiry));
        return lease == null ? entry : CompletableFuture.allOf(lease, entry);
    }

    /** A lease about to run out (or never written) is extended first: a new entry must not be born nearly dead. */
    private boolean leaseNeedsWriting() {
        return leaseExpiry - clock.now() < timings.renewPeriod().toMillis();
    }

    private CompletableFuture<Void> writeLease(List<CategoryKey> keys) {
        leaseExpiry = clock.now() + timings.leaseTtl().toMillis();
        List<String> names = new ArrayList<>(keys.size());
        for (CategoryKey k : keys) {
            names.add(k.redisKey());
        }
        named.addAll(keys);
        return store.writeLease(keyspace, ownerId, leaseExpiry, names, recordExpiresAt());
    }

    /** The owner's key set outlives its lease by a session, long enough for a reaper to use it. */
    private long recordExpiresAt() {
        return leaseExpiry + timings.session().toMillis();
    }

    /**
     * Replaces one owned entry by another in one atomic step (an application instance whose metadata
     * changed), owning the new one from now on.
     */
    public CompletableFuture<Void> replace(CategoryKey key, String oldField, String newField, boolean dynamic) {
        return clockReady().thenCompose(ignored -> {
            synchronized (this) {
                Map<String, Boolean> fields = owned.computeIfAbsent(key, k -> new LinkedHashMap<>());
                fields.remove(oldField);
                fields.put(newField, dynamic);
                CompletableFuture<Void> lease = leaseNeedsWriting() ? writeLease(List.copyOf(owned.keySet()))
                        : CompletableFuture.completedFuture(null);
                return CompletableFuture.allOf(lease, store.replaceEntry(key, oldField, newField, Long.toString(leaseExpiry)));
            }
        });
    }

    /**
     * Stops owning the entry without touching Redis: whatever was written expires and is reaped. For a
     * registration whose caller was told it failed, and may never unregister it.
     */
    public synchronized void disown(CategoryKey key, String field) {
        Map<String, Boolean> fields = owned.get(key);
        if (fields != null) {
            fields.remove(field);
            if (fields.isEmpty()) {
                owned.remove(key);
            }
        }
    }

    /**
     * Stops owning the entry (it will not be renewed again), deletes and announces it. The lease keeps naming the
     * key until the next renewal (see the class comment).
     */
    public synchronized CompletableFuture<Void> unregister(CategoryKey key, String field) {
        disown(key, field);
        return store.removeEntries(key, List.of(field));
    }

    public synchronized boolean owns(CategoryKey key, String field) {
        Map<String, Boolean> fields = owned.get(key);
        return fields != null && fields.containsKey(field);
    }

    public synchronized int size() {
        int n = 0;
        for (Map<String, Boolean> fields : owned.values()) {
            n += fields.size();
        }
        return n;
    }

    /** Forgets the keys the lease still names though this owner has no entry in them any more. */
    private void forgetUnowned() {
        for (java.util.Iterator<CategoryKey> i = named.iterator(); i.hasNext(); ) {
            CategoryKey k = i.next();
            if (!owned.containsKey(k)) {
                i.remove();
                store.forgetOwnedKey(keyspace, ownerId, k.redisKey());
            }
        }
    }

    /**
     * Writes every owned entry with the new lease expiry: one HSET per key, and the lease itself, sent back to
     * back (one round trip however many entries). Keys where Redis had lost an entry (HSET created a field)
     * are announced with {@code register}, so that watchers read them again.
     *
     * @return the number of entries written
     */
    public CompletableFuture<Integer> renewAll() {
        Map<CategoryKey, CompletableFuture<Long>> writes = new LinkedHashMap<>();
        CompletableFuture<Void> lease;
        int count = 0;
        synchronized (this) {
            if (owned.isEmpty()) {
                forgetUnowned();
                return CompletableFuture.completedFuture(0);
            }
            lease = writeLease(List.copyOf(owned.keySet()));
            forgetUnowned();
            String expiry = Long.toString(leaseExpiry);
            for (Map.Entry<CategoryKey, Map<String, Boolean>> e : owned.entrySet()) {
                Map<String, String> values = new LinkedHashMap<>();
                for (String field : e.getValue().keySet()) {
                    values.put(field, expiry);
                }
                count += values.size();
                writes.put(e.getKey(), store.rewriteValues(e.getKey(), values));
            }
        }
        int written = count;
        // Each key on its own: one bad key (say, overwritten with a string) must not stop the others.
        List<CompletableFuture<Void>> steps = new ArrayList<>();
        List<Throwable> failures = new ArrayList<>();
        for (Map.Entry<CategoryKey, CompletableFuture<Long>> w : writes.entrySet()) {
            steps.add(w.getValue().handle((created, e) -> {
                if (e != null) {
                    synchronized (failures) {
                        failures.add(e);
                    }
                    return CompletableFuture.<Void>completedFuture(null);
                }
                if (created == 0) {
                    return CompletableFuture.<Void>completedFuture(null);
                }
                entriesFoundMissing.run();
                return store.announce(w.getKey(), REGISTER);
            }).thenCompose(f -> f));
        }
        steps.add(lease);
        return CompletableFuture.allOf(steps.toArray(CompletableFuture[]::new)).thenApply(ignored -> {
            if (!failures.isEmpty()) {
                throw new java.util.concurrent.CompletionException(failures.get(0));
            }
            return written;
        });
    }
}
