package io.github.dubboredis.registry;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import io.github.dubboredis.redis.RedisStore;

/**
 * The entries this registry owns, and their leases. Writes an entry as the older registry does
 * ({@code HSET key <url> <expiry>}, then {@code PUBLISH key register}) and also records its lease in
 * the lease index, so that reapers find it without scanning. Renews every owned entry in one pipelined
 * round trip, and announces any entry that Redis had lost.
 *
 * <p>Every write is dispatched under this object's lock, so a renewal that started before an
 * unregister can never reach Redis after it and bring the entry back.
 */
final class Registrar {

    /** The most lease members one ZADD carries (see {@link #addLeases}). */
    static final int LEASES_PER_COMMAND = 256;

    static final String REGISTER = "register";
    static final String UNREGISTER = "unregister";

    private final RedisStore store;
    private final RegistryRoot root;
    private final RedisClock clock;
    private final LeaseTimings timings;
    private final Runnable entriesFoundMissing;
    /** Redis key to (field to dynamic). */
    private final Map<String, Map<String, Boolean>> owned = new LinkedHashMap<>();

    /**
     * @param entriesFoundMissing told when a renewal found that Redis had lost owned entries (it may have
     *     lost everything: the engine checks)
     */
    Registrar(RedisStore store, RegistryRoot root, RedisClock clock, LeaseTimings timings, Runnable entriesFoundMissing) {
        this.store = store;
        this.root = root;
        this.clock = clock;
        this.timings = timings;
        this.entriesFoundMissing = entriesFoundMissing;
    }

    /**
     * Owns the entry from now on (renewals keep it alive even if this first write fails) and writes it.
     * The first write waits for Redis's clock to be known: an expiry stamped with a skewed local clock
     * could be born dead.
     */
    /**
     * Stops owning the entry without touching Redis: whatever was written expires and is reaped. For a
     * registration whose caller was told it failed, and may never unregister it.
     */
    synchronized void disown(CategoryKey key, String field) {
        Map<String, Boolean> fields = owned.get(key.redisKey());
        if (fields != null) {
            fields.remove(field);
            if (fields.isEmpty()) {
                owned.remove(key.redisKey());
            }
        }
    }

    CompletableFuture<Void> register(CategoryKey key, String field, boolean dynamic) {
        synchronized (this) {
            owned.computeIfAbsent(key.redisKey(), k -> new LinkedHashMap<>()).put(field, dynamic);
        }
        if (clock.isSynced()) {
            return write(key, field, dynamic);
        }
        return clock.sync(store).thenCompose(ignored -> write(key, field, dynamic));
    }

    private synchronized CompletableFuture<Void> write(CategoryKey key, String field, boolean dynamic) {
        if (!owns(key, field)) {
            return CompletableFuture.completedFuture(null); // unregistered while the clock was read
        }
        long expiry = expiry();
        CompletableFuture<Long> write = store.writeFields(key.redisKey(), Map.of(field, Long.toString(expiry)));
        CompletableFuture<Void> lease = dynamic
                ? store.addScored(root.leaseIndexKey(), Map.of(leaseMember(key.redisKey(), field), (double) expiry))
                : CompletableFuture.completedFuture(null);
        CompletableFuture<Void> announce = store.publish(key.redisKey(), REGISTER);
        return CompletableFuture.allOf(write, lease, announce);
    }

    /**
     * Replaces one owned entry by another in one atomic step (see {@link RegistryScripts#REPLACE_ENTRY}),
     * owning the new one from now on.
     */
    CompletableFuture<Void> replace(CategoryKey key, String oldField, String newField, boolean dynamic) {
        CompletableFuture<Void> clockReady = clock.isSynced() ? CompletableFuture.completedFuture(null) : clock.sync(store);
        return clockReady.thenCompose(ignored -> {
            synchronized (this) {
                Map<String, Boolean> fields = owned.computeIfAbsent(key.redisKey(), k -> new LinkedHashMap<>());
                fields.remove(oldField);
                fields.put(newField, dynamic);
                long expiry = expiry();
                CompletableFuture<List<Object>> swap = store.runScript(RegistryScripts.REPLACE_ENTRY, key.redisKey(),
                        List.of(oldField, newField, Long.toString(expiry)));
                CompletableFuture<Void> dropOld = store.removeScored(root.leaseIndexKey(), List.of(leaseMember(key.redisKey(), oldField)));
                CompletableFuture<Void> addNew = dynamic
                        ? store.addScored(root.leaseIndexKey(), Map.of(leaseMember(key.redisKey(), newField), (double) expiry))
                        : CompletableFuture.completedFuture(null);
                return CompletableFuture.allOf(swap, dropOld, addNew);
            }
        });
    }

    /** Stops owning the entry (it will not be renewed again), deletes and announces it. */
    synchronized CompletableFuture<Void> unregister(CategoryKey key, String field) {
        disown(key, field);
        CompletableFuture<Long> delete = store.deleteFields(key.redisKey(), List.of(field));
        CompletableFuture<Void> lease = store.removeScored(root.leaseIndexKey(), List.of(leaseMember(key.redisKey(), field)));
        CompletableFuture<Void> announce = store.publish(key.redisKey(), UNREGISTER);
        return CompletableFuture.allOf(delete, lease, announce);
    }

    synchronized boolean owns(CategoryKey key, String field) {
        Map<String, Boolean> fields = owned.get(key.redisKey());
        return fields != null && fields.containsKey(field);
    }

    synchronized int size() {
        int n = 0;
        for (Map<String, Boolean> fields : owned.values()) {
            n += fields.size();
        }
        return n;
    }

    /**
     * Writes lease scores in ZADDs of at most {@value #LEASES_PER_COMMAND} members, sent back to back (still
     * one round trip): one ZADD of ten thousand members would hold Redis, and every other client, for
     * milliseconds.
     */
    private CompletableFuture<Void> addLeases(Map<String, Double> leaseScores) {
        if (leaseScores.size() <= LEASES_PER_COMMAND) {
            return store.addScored(root.leaseIndexKey(), leaseScores);
        }
        List<CompletableFuture<Void>> chunks = new ArrayList<>();
        Map<String, Double> chunk = new HashMap<>();
        for (Map.Entry<String, Double> e : leaseScores.entrySet()) {
            chunk.put(e.getKey(), e.getValue());
            if (chunk.size() == LEASES_PER_COMMAND) {
                chunks.add(store.addScored(root.leaseIndexKey(), chunk));
                chunk = new HashMap<>();
            }
        }
        if (!chunk.isEmpty()) {
            chunks.add(store.addScored(root.leaseIndexKey(), chunk));
        }
        return CompletableFuture.allOf(chunks.toArray(CompletableFuture[]::new));
    }

    /**
     * Writes every owned entry with a fresh expiry: one HSET per key and the leases in ZADDs of at most
     * {@value #LEASES_PER_COMMAND}, sent back to back (one round trip however many entries). Keys where Redis had lost an entry (HSET
     * created a field) are announced with {@code register}, so that watchers re-read them.
     *
     * @return the number of entries written
     */
    CompletableFuture<Integer> renewAll() {
        Map<String, CompletableFuture<Long>> writes = new LinkedHashMap<>();
        CompletableFuture<Void> leases;
        int count = 0;
        synchronized (this) {
            if (owned.isEmpty()) {
                return CompletableFuture.completedFuture(0);
            }
            String expiry = Long.toString(expiry());
            Map<String, Double> leaseScores = new HashMap<>();
            for (Map.Entry<String, Map<String, Boolean>> e : owned.entrySet()) {
                Map<String, String> values = new LinkedHashMap<>();
                for (Map.Entry<String, Boolean> f : e.getValue().entrySet()) {
                    values.put(f.getKey(), expiry);
                    if (f.getValue()) {
                        leaseScores.put(leaseMember(e.getKey(), f.getKey()), Double.parseDouble(expiry));
                    }
                }
                count += values.size();
                writes.put(e.getKey(), store.writeFields(e.getKey(), values));
            }
            leases = addLeases(leaseScores);
        }
        int written = count;
        // Each key on its own: one bad key (say, overwritten with a string) must not stop the others.
        List<CompletableFuture<Void>> steps = new ArrayList<>();
        List<Throwable> failures = new ArrayList<>();
        for (Map.Entry<String, CompletableFuture<Long>> w : writes.entrySet()) {
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
                return store.publish(w.getKey(), REGISTER);
            }).thenCompose(f -> f));
        }
        steps.add(leases);
        return CompletableFuture.allOf(steps.toArray(CompletableFuture[]::new)).thenApply(ignored -> {
            if (!failures.isEmpty()) {
                throw new java.util.concurrent.CompletionException(failures.get(0));
            }
            return written;
        });
    }

    private long expiry() {
        return clock.now() + timings.leaseTtl().toMillis();
    }

    /** The lease index member of an entry: key and field, separated by a newline (never in a key). */
    static String leaseMember(String key, String field) {
        return key + '\n' + field;
    }
}
