package io.github.dubboredis.testkit.memory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import io.github.dubboredis.internal.concurrent.Scheduler;
import io.github.dubboredis.internal.model.CategoryKey;
import io.github.dubboredis.internal.model.ChangeRecord;
import io.github.dubboredis.internal.model.Keyspace;
import io.github.dubboredis.internal.model.RegistryEntry;
import io.github.dubboredis.internal.store.HashPage;
import io.github.dubboredis.internal.store.KeyPage;
import io.github.dubboredis.internal.store.KeyProbe;
import io.github.dubboredis.internal.store.Lease;
import io.github.dubboredis.internal.store.RedisAccessException;
import io.github.dubboredis.internal.store.RegistryStore;
import io.github.dubboredis.internal.store.ScanStep;
import io.github.dubboredis.internal.store.StoreListener;
import io.github.dubboredis.internal.store.WrongTypeException;

/**
 * The registry's store contract in memory, on a {@link ManualScheduler}: what the engine's decisions (read
 * folding, change records, recovery holds, data loss, reaping) are unit-tested against, in milliseconds and
 * without Redis. It keeps Redis's data types, the server-side steps' exact rules (the same as the Lua:
 * values, sequences, records, announcements, one HSCAN page per step) and pub/sub delivered on the scheduler
 * in publish order. A test can take Redis away ({@link #goDown}), bring it back ({@link #comeBack}), make it
 * lose everything ({@link #loseAllData}), hold replies in flight ({@link #holdReplies}), and count what was
 * read. A contract test runs the same checks against real Redis, so the two cannot drift apart.
 */
public final class InMemoryRegistryStore implements RegistryStore {

    private final ManualScheduler scheduler;
    private final List<StoreListener> listeners = new CopyOnWriteArrayList<>();
    private final Map<String, Object> data = new HashMap<>();
    private final Map<String, Long> expiresAt = new HashMap<>();
    private final Map<String, Integer> channels = new HashMap<>();
    private final Map<String, Integer> patterns = new HashMap<>();
    private final List<Runnable> heldReplies = new ArrayList<>();
    private final Set<String> refusedChannelPrefixes = new LinkedHashSet<>();
    private boolean up = true;
    private boolean holding;
    private boolean changeRecordsUsable = true;
    private long serverClockOffsetMillis;
    private long reads;
    private long pagesRead;
    private long fieldsRead;
    private long probes;

    public InMemoryRegistryStore(ManualScheduler scheduler) {
        this.scheduler = scheduler;
    }

    // ---- what a test does to it -------------------------------------------------------------------

    /** Redis becomes unreachable: every command fails, and subscriptions (and their messages) are lost. */
    public void goDown() {
        up = false;
        for (StoreListener l : listeners) {
            scheduler.execute(() -> l.onConnectionLost(describe(), "test", false));
        }
    }

    /** Redis answers again: writes and subscriptions are restored, as after a reconnect. */
    public void comeBack() {
        up = true;
        for (StoreListener l : listeners) {
            scheduler.execute(() -> l.onWritesRestored(describe()));
            scheduler.execute(() -> l.onSubscriptionsRestored(describe()));
        }
    }

    /** Redis restarts empty (or is flushed): every key is gone, and nothing announces it. */
    public void loseAllData() {
        data.clear();
        expiresAt.clear();
    }

    /** Replies are kept back (commands run, their answers are late) until {@link #releaseReplies}. */
    public void holdReplies() {
        holding = true;
    }

    public void releaseReplies() {
        holding = false;
        List<Runnable> replies = new ArrayList<>(heldReplies);
        heldReplies.clear();
        replies.forEach(Runnable::run);
    }

    /** Redis's clock runs this far ahead of the hosts'. */
    public void skewServerClock(long millis) {
        serverClockOffsetMillis += millis;
    }

    /** As {@code cluster=replicate}: change records cannot be relied on. */
    public void withoutChangeRecords() {
        changeRecordsUsable = false;
    }

    /** Subscriptions of channels starting with this are refused, as by an ACL. */
    public void refuseChannels(String prefix) {
        refusedChannelPrefixes.add(prefix);
    }

    /** Publishes a message as any client could (an older registry's announcement, junk). */
    public void publishRaw(String channel, String message) {
        publish(channel, message);
    }

    /** Writes a hash field without any record or announcement, as a careless client could. */
    public void writeFieldRaw(String key, String field, String value) {
        hash(key, true).put(field, value);
    }

    /** Sets any value, of any type, as a hostile client could. */
    public void putRaw(String key, Object value) {
        data.put(key, value);
        expiresAt.remove(key);
    }

    public Object raw(String key) {
        return live(key);
    }

    @SuppressWarnings("unchecked")
    public Map<String, String> hashRaw(String key) {
        Object v = live(key);
        return v instanceof Map<?, ?> m ? new LinkedHashMap<>((Map<String, String>) m) : Map.of();
    }

    /** Whole reads started (first pages). */
    public long reads() {
        return reads;
    }

    public long pagesRead() {
        return pagesRead;
    }

    public long fieldsRead() {
        return fieldsRead;
    }

    public long probes() {
        return probes;
    }

    public long serverNow() {
        return scheduler.currentTimeMillis() + serverClockOffsetMillis;
    }

    // ---- the contract ---------------------------------------------------------------------------------

    @Override
    public String describe() {
        return "in-memory";
    }

    @Override
    public boolean isConnected() {
        return up;
    }

    @Override
    public boolean changeRecordsUsable() {
        return changeRecordsUsable;
    }

    @Override
    public Scheduler scheduler() {
        return scheduler;
    }

    @Override
    public void addListener(StoreListener listener) {
        listeners.add(listener);
    }

    @Override
    public void removeListener(StoreListener listener) {
        listeners.remove(listener);
    }

    @Override
    public CompletableFuture<Long> serverTimeMillis() {
        return reply(this::serverNow);
    }

    @Override
    public CompletableFuture<Void> putEntry(CategoryKey key, String field, String value) {
        return reply(() -> {
            Map<String, String> h = hashOf(key);
            boolean created = h.put(field, value) == null;
            List<String[]> changes = List.<String[]>of(new String[] {created ? "+" : "~", value, field});
            publishChanges(key, changes, "register");
            return null;
        });
    }

    @Override
    public CompletableFuture<Void> removeEntries(CategoryKey key, List<String> fields) {
        return reply(() -> {
            Map<String, String> h = hashOf(key);
            List<String[]> changes = new ArrayList<>();
            for (String f : fields) {
                if (h.remove(f) != null) {
                    changes.add(new String[] {"-", "0", f});
                }
            }
            dropIfEmpty(key.redisKey());
            publishChanges(key, changes, "unregister");
            return null;
        });
    }

    @Override
    public CompletableFuture<Void> replaceEntry(CategoryKey key, String oldField, String newField, String value) {
        return reply(() -> {
            Map<String, String> h = hashOf(key);
            List<String[]> changes = new ArrayList<>();
            if (!oldField.equals(newField) && h.remove(oldField) != null) {
                changes.add(new String[] {"-", "0", oldField});
            }
            boolean created = h.put(newField, value) == null;
            changes.add(new String[] {created ? "+" : "~", value, newField});
            publishChanges(key, changes, changes.size() > 1 ? "unregister" : "register");
            return null;
        });
    }

    @Override
    public CompletableFuture<Long> rewriteValues(CategoryKey key, Map<String, String> fieldValues) {
        return reply(() -> {
            Map<String, String> h = hashOf(key);
            long created = 0;
            for (Map.Entry<String, String> e : fieldValues.entrySet()) {
                if (h.put(e.getKey(), e.getValue()) == null) {
                    created++;
                }
            }
            return created;
        });
    }

    @Override
    public CompletableFuture<Void> announce(CategoryKey key, String message) {
        return reply(() -> {
            publish(key.redisKey(), message);
            return null;
        });
    }

    @Override
    public CompletableFuture<HashPage> readFirstPage(CategoryKey key, int count) {
        return reply(() -> {
            reads++;
            Map<String, String> h = hashForRead(key);
            return page(h, 0, count, h.size(), sequenceOf(key));
        });
    }

    @Override
    public CompletableFuture<HashPage> readNextPage(CategoryKey key, String cursor, int count) {
        return reply(() -> page(hashForRead(key), Integer.parseInt(cursor), count, -1, -1));
    }

    @Override
    public CompletableFuture<KeyProbe> probe(CategoryKey key) {
        return reply(() -> {
            probes++;
            return new KeyProbe(sequenceOf(key), hashForRead(key).size());
        });
    }

    private HashPage page(Map<String, String> h, int from, int count, long size, long sequence) {
        pagesRead++;
        List<String> fields = new ArrayList<>(h.keySet());
        Map<String, String> entries = new LinkedHashMap<>();
        int end = Math.min(fields.size(), from + count);
        for (int i = from; i < end; i++) {
            entries.put(fields.get(i), h.get(fields.get(i)));
        }
        fieldsRead += entries.size();
        return new HashPage(entries, end >= fields.size() ? "0" : Integer.toString(end), size, sequence);
    }

    @Override
    public CompletableFuture<ScanStep> removeOwnerEntries(CategoryKey key, String ownerValue, String cursor, int count) {
        return reply(() -> removeStep(key, cursor, count, (field, value) -> {
            long expiry = RegistryEntry.parseExpiry(ownerValue);
            return expiry >= 0 && expiry < serverNow() && value.equals(ownerValue) && RegistryEntry.isDynamic(field);
        }));
    }

    @Override
    public CompletableFuture<ScanStep> removeExpiredEntries(CategoryKey key, long graceMillis, String cursor, int count) {
        return reply(() -> removeStep(key, cursor, count, (field, value) -> {
            long expiry = RegistryEntry.parseExpiry(value);
            return expiry >= 0 && expiry + graceMillis < serverNow() && RegistryEntry.isDynamic(field);
        }));
    }

    private ScanStep removeStep(CategoryKey key, String cursor, int count, java.util.function.BiPredicate<String, String> dead) {
        Map<String, String> h = hashOf(key);
        List<String> fields = new ArrayList<>(h.keySet());
        int from = Integer.parseInt(cursor);
        int end = Math.min(fields.size(), from + count);
        List<String[]> changes = new ArrayList<>();
        int kept = 0;
        for (int i = from; i < end; i++) {
            String f = fields.get(i);
            if (dead.test(f, h.get(f))) {
                h.remove(f);
                changes.add(new String[] {"-", "0", f});
            } else {
                kept++;
            }
        }
        if (!changes.isEmpty()) {
            dropIfEmpty(key.redisKey());
            publishChanges(key, changes, "unregister");
        }
        // Removed fields shift the ones after them back: the next page starts where this one's survivors end.
        int next = from + kept;
        return new ScanStep(changes.size(), end >= fields.size() ? "0" : Integer.toString(next));
    }

    @Override
    public CompletableFuture<Void> writeLease(Keyspace keyspace, String ownerId, long expiry, Collection<String> keys,
            long recordExpiresAt) {
        return reply(() -> {
            zset(keyspace.ownersKey(), true).put(ownerId, (double) expiry);
            set(keyspace.ownerKeysKey(ownerId), true).addAll(keys);
            expiresAt.put(keyspace.ownerKeysKey(ownerId), recordExpiresAt);
            return null;
        });
    }

    @Override
    public CompletableFuture<Void> forgetOwnedKey(Keyspace keyspace, String ownerId, String key) {
        return reply(() -> {
            Object v = live(keyspace.ownerKeysKey(ownerId));
            if (v instanceof Set<?> s) {
                s.remove(key);
            }
            return null;
        });
    }

    @Override
    public CompletableFuture<List<Lease>> expiredLeases(Keyspace keyspace, long now, long oldest, int limit) {
        return reply(() -> {
            Object v = live(keyspace.ownersKey());
            if (!(v instanceof Map<?, ?>)) {
                return List.of();
            }
            List<Lease> found = new ArrayList<>();
            for (Map.Entry<String, Double> e : zset(keyspace.ownersKey(), false).entrySet()) {
                if (e.getValue() >= oldest && e.getValue() <= now) {
                    found.add(new Lease(e.getKey(), e.getValue().longValue()));
                }
            }
            found.sort((a, b) -> Long.compare(b.expiry(), a.expiry()));
            return found.size() > limit ? new ArrayList<>(found.subList(0, limit)) : found;
        });
    }

    @Override
    public CompletableFuture<List<String>> leasesExpiredBefore(Keyspace keyspace, long before, int limit) {
        return reply(() -> {
            if (!(live(keyspace.ownersKey()) instanceof Map<?, ?>)) {
                return List.of();
            }
            List<String> found = new ArrayList<>();
            for (Map.Entry<String, Double> e : zset(keyspace.ownersKey(), false).entrySet()) {
                if (e.getValue() < before && found.size() < limit) {
                    found.add(e.getKey());
                }
            }
            return found;
        });
    }

    @Override
    public CompletableFuture<Void> dropLeases(Keyspace keyspace, Collection<String> members) {
        return reply(() -> {
            if (live(keyspace.ownersKey()) instanceof Map<?, ?>) {
                zset(keyspace.ownersKey(), false).keySet().removeAll(members);
            }
            return null;
        });
    }

    @Override
    public CompletableFuture<KeyPage> ownedKeys(Keyspace keyspace, String ownerId, Object from, int count) {
        return reply(() -> {
            Object v = live(keyspace.ownerKeysKey(ownerId));
            if (!(v instanceof Set<?>)) {
                return new KeyPage(List.of(), null);
            }
            List<String> all = new ArrayList<>(set(keyspace.ownerKeysKey(ownerId), false));
            int start = from == null ? 0 : (Integer) from;
            int end = Math.min(all.size(), start + count);
            return new KeyPage(new ArrayList<>(all.subList(start, end)), end >= all.size() ? null : end);
        });
    }

    @Override
    public CompletableFuture<Void> endLease(Keyspace keyspace, String ownerId, long expectedExpiry) {
        return reply(() -> {
            if (live(keyspace.ownersKey()) instanceof Map<?, ?>) {
                Map<String, Double> owners = zset(keyspace.ownersKey(), false);
                Double score = owners.get(ownerId);
                if (score != null && score.longValue() == expectedExpiry) {
                    owners.remove(ownerId);
                    delete(keyspace.ownerKeysKey(ownerId));
                }
            }
            delete(keyspace.reapClaimKey(ownerId));
            return null;
        });
    }

    @Override
    public CompletableFuture<Boolean> tryLock(String lockKey, String token, long ttlMillis) {
        return reply(() -> {
            Object v = live(lockKey);
            if (v != null && !(v instanceof String)) {
                delete(lockKey);
                v = null;
            }
            if (v == null) {
                data.put(lockKey, token);
                expiresAt.put(lockKey, scheduler.currentTimeMillis() + ttlMillis);
                return true;
            }
            long cut = scheduler.currentTimeMillis() + ttlMillis; // none, or longer than this ttl: cut to it
            expiresAt.merge(lockKey, cut, Math::min);
            return false;
        });
    }

    @Override
    public CompletableFuture<Boolean> extendLock(String lockKey, String token, long ttlMillis) {
        return reply(() -> {
            if (!token.equals(live(lockKey))) {
                return false;
            }
            expiresAt.put(lockKey, scheduler.currentTimeMillis() + ttlMillis);
            return true;
        });
    }

    @Override
    public CompletableFuture<String> establishMarker(String markerKey, String candidate) {
        return reply(() -> {
            Object v = live(markerKey);
            if (!(v instanceof String)) {
                data.put(markerKey, candidate);
                expiresAt.remove(markerKey);
                return candidate;
            }
            return (String) v;
        });
    }

    @Override
    public CompletableFuture<String> readMarker(String markerKey) {
        return reply(() -> live(markerKey) instanceof String s ? s : null);
    }

    @Override
    public CompletableFuture<KeyPage> scanKeys(String pattern, Object from, int count) {
        return reply(() -> {
            Pattern glob = globToRegex(pattern);
            List<String> matching = new ArrayList<>();
            for (String k : new ArrayList<>(data.keySet())) {
                if (live(k) != null && glob.matcher(k).matches()) {
                    matching.add(k);
                }
            }
            matching.sort(null);
            int start = from == null ? 0 : (Integer) from;
            int end = Math.min(matching.size(), start + count);
            return new KeyPage(new ArrayList<>(matching.subList(start, end)), end >= matching.size() ? null : end);
        });
    }

    @Override
    public CompletableFuture<String> keyType(String key) {
        return reply(() -> {
            Object v = live(key);
            return v == null ? "none" : v instanceof String ? "string" : v instanceof TreeMap<?, ?> ? "zset"
                    : v instanceof Map<?, ?> ? "hash" : v instanceof Set<?> ? "set" : "other";
        });
    }

    @Override
    public CompletableFuture<Long> hashSize(String key) {
        return reply(() -> (long) hashForRead(key).size());
    }

    @Override
    public CompletableFuture<String> getValue(String key) {
        return reply(() -> {
            Object v = live(key);
            if (v != null && !(v instanceof String)) {
                throw new WrongTypeException(key, describe(), "string");
            }
            return (String) v;
        });
    }

    @Override
    public CompletableFuture<Void> setValue(String key, String value, long ttlMillis) {
        return reply(() -> {
            data.put(key, value);
            if (ttlMillis > 0) {
                expiresAt.put(key, scheduler.currentTimeMillis() + ttlMillis);
            } else {
                expiresAt.remove(key);
            }
            return null;
        });
    }

    @Override
    public CompletableFuture<Void> deleteKey(String key) {
        return reply(() -> {
            delete(key);
            return null;
        });
    }

    @Override
    public CompletableFuture<String> getField(String key, String field) {
        return reply(() -> hashForRead(key).get(field));
    }

    @Override
    public CompletableFuture<Boolean> addToListField(String key, String field, String item, String channel) {
        return reply(() -> {
            Map<String, String> h = hash(key, true);
            String current = h.get(field);
            if (current != null) {
                for (String name : current.split(",")) {
                    if (name.trim().equals(item)) {
                        return false;
                    }
                }
            }
            h.put(field, current == null ? item : current + "," + item);
            publish(channel, field);
            return true;
        });
    }

    @Override
    public CompletableFuture<Boolean> compareAndSetField(String key, String field, String expected, String content,
            String channel) {
        return reply(() -> {
            Map<String, String> h = hash(key, true);
            String current = h.get(field);
            if (expected == null ? current != null : !expected.equals(current)) {
                return false;
            }
            h.put(field, content);
            publish(channel, field);
            return true;
        });
    }

    @Override
    public CompletableFuture<String> info(String section) {
        return reply(() -> "# " + section + "\r\nredis_version:7.0.0-in-memory\r\n");
    }

    @Override
    public CompletableFuture<String> configGet(String parameter) {
        return reply(() -> "");
    }

    @Override
    public CompletableFuture<Void> ping() {
        return reply(() -> null);
    }

    @Override
    public CompletableFuture<Void> subscribe(Collection<String> names) {
        for (String n : names) {
            for (String refused : refusedChannelPrefixes) {
                if (n.startsWith(refused)) {
                    return CompletableFuture.failedFuture(new RedisAccessException.Misconfigured(
                            "NOPERM this user has no permissions to access the '" + n + "' channel", null));
                }
            }
        }
        return reply(() -> {
            for (String n : names) {
                channels.merge(n, 1, Integer::sum);
            }
            return null;
        });
    }

    @Override
    public CompletableFuture<Void> unsubscribe(Collection<String> names) {
        return reply(() -> {
            for (String n : names) {
                channels.computeIfPresent(n, (k, v) -> v == 1 ? null : v - 1);
            }
            return null;
        });
    }

    @Override
    public CompletableFuture<Void> subscribePattern(String pattern) {
        return reply(() -> {
            patterns.merge(pattern, 1, Integer::sum);
            return null;
        });
    }

    @Override
    public CompletableFuture<Void> unsubscribePattern(String pattern) {
        return reply(() -> {
            patterns.computeIfPresent(pattern, (k, v) -> v == 1 ? null : v - 1);
            return null;
        });
    }

    /** Channels subscribed now, with their reference counts. */
    public Map<String, Integer> subscribedChannels() {
        return Map.copyOf(channels);
    }

    // ---- the server ---------------------------------------------------------------------------------

    /** Runs a command now (its effects happen at once) and answers it now, or later while replies are held. */
    private <T> CompletableFuture<T> reply(Supplier<T> command) {
        if (!up) {
            return CompletableFuture.failedFuture(new RedisAccessException("not connected to Redis at " + describe(), null));
        }
        CompletableFuture<T> f = new CompletableFuture<>();
        T result;
        try {
            result = command.get();
        } catch (RuntimeException e) {
            f.completeExceptionally(e);
            return f;
        }
        if (holding) {
            heldReplies.add(() -> f.complete(result));
        } else {
            f.complete(result);
        }
        return f;
    }

    private void publishChanges(CategoryKey key, List<String[]> changes, String announcement) {
        if (key.hasChangeRecords() && changeRecordsUsable) {
            for (int i = 0; i < changes.size(); i++) {
                String[] c = changes.get(i);
                boolean fresh = sequenceOf(key) == 0;
                long seq = nextSequence(key.sequenceKey());
                ChangeRecord r = new ChangeRecord(seq, i == changes.size() - 1, fresh,
                        c[0].equals("+") ? ChangeRecord.Op.CREATED : c[0].equals("~") ? ChangeRecord.Op.UPDATED
                                : ChangeRecord.Op.REMOVED, c[1], c[2]);
                publish(key.changeChannel(), r.encode());
            }
            if (!changes.isEmpty() && live(key.redisKey()) == null) {
                delete(key.sequenceKey());
            }
        }
        publish(key.redisKey(), announcement);
    }

    private long nextSequence(String seqKey) {
        Object v = live(seqKey);
        long n;
        if (v instanceof String s && !s.isEmpty() && s.length() <= 16 && s.chars().allMatch(Character::isDigit)
                && Long.parseLong(s) < (1L << 53)) {
            n = Long.parseLong(s) + 1;
        } else {
            n = serverNow() * 1000;
        }
        data.put(seqKey, Long.toString(n));
        return n;
    }

    private long sequenceOf(CategoryKey key) {
        if (!key.hasChangeRecords()) {
            return 0;
        }
        Object v = live(key.sequenceKey());
        if (v instanceof String s && !s.isEmpty() && s.length() <= 16 && s.chars().allMatch(Character::isDigit)) {
            long n = Long.parseLong(s);
            return n < (1L << 53) ? n : 0;
        }
        return 0;
    }

    private void publish(String channel, String message) {
        if (!up) {
            return;
        }
        if (channels.containsKey(channel)) {
            for (StoreListener l : listeners) {
                scheduler.execute(() -> l.onMessage(channel, message));
            }
        }
        for (String p : patterns.keySet()) {
            if (globToRegex(p).matcher(channel).matches()) {
                for (StoreListener l : listeners) {
                    scheduler.execute(() -> l.onPatternMessage(p, channel, message));
                }
            }
        }
    }

    private Object live(String key) {
        Long at = expiresAt.get(key);
        if (at != null && at <= scheduler.currentTimeMillis()) {
            delete(key);
            return null;
        }
        return data.get(key);
    }

    private void delete(String key) {
        data.remove(key);
        expiresAt.remove(key);
    }

    private void dropIfEmpty(String key) {
        if (live(key) instanceof Map<?, ?> m && m.isEmpty()) {
            delete(key);
        }
    }

    private Map<String, String> hashOf(CategoryKey key) {
        return hash(key.redisKey(), true);
    }

    private Map<String, String> hashForRead(CategoryKey key) {
        return hashForRead(key.redisKey());
    }

    private Map<String, String> hashForRead(String key) {
        Object v = live(key);
        if (v == null) {
            return Map.of();
        }
        return hash(key, false);
    }

    @SuppressWarnings("unchecked")
    private Map<String, String> hash(String key, boolean create) {
        Object v = live(key);
        if (v == null) {
            if (!create) {
                return new LinkedHashMap<>();
            }
            v = new LinkedHashMap<String, String>();
            data.put(key, v);
        }
        if (!(v instanceof LinkedHashMap<?, ?>)) {
            throw new WrongTypeException(key, describe(), "hash");
        }
        return (Map<String, String>) v;
    }

    @SuppressWarnings("unchecked")
    private TreeMap<String, Double> zset(String key, boolean repair) {
        Object v = live(key);
        if (v == null || (repair && !(v instanceof TreeMap<?, ?>))) {
            v = new TreeMap<String, Double>();
            data.put(key, v);
        }
        if (!(v instanceof TreeMap<?, ?>)) {
            throw new WrongTypeException(key, describe(), "sorted set");
        }
        return (TreeMap<String, Double>) v;
    }

    @SuppressWarnings("unchecked")
    private Set<String> set(String key, boolean repair) {
        Object v = live(key);
        if (v == null || (repair && !(v instanceof LinkedHashSet<?>))) {
            v = new LinkedHashSet<String>();
            data.put(key, v);
        }
        if (!(v instanceof LinkedHashSet<?>)) {
            throw new WrongTypeException(key, describe(), "set");
        }
        return (Set<String>) v;
    }

    private static Pattern globToRegex(String glob) {
        StringBuilder r = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            switch (c) {
                case '*' -> r.append(".*");
                case '?' -> r.append('.');
                case '\\' -> {
                    if (i + 1 < glob.length()) {
                        r.append(Pattern.quote(String.valueOf(glob.charAt(++i))));
                    }
                }
                default -> r.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(r.toString(), Pattern.DOTALL);
    }

    // ---- the configuration centre (the same rules as ConfigScripts) ------------------------------------

    private long configReads;

    /** Configuration read steps run (one per {@link #readConfig} call). */
    public long configReads() {
        return configReads;
    }

    @Override
    public CompletableFuture<io.github.dubboredis.internal.store.ConfigRead> readConfig(String hashKey, String markerKey,
            List<String> fields, long maxBytes, boolean tickets) {
        return reply(() -> {
            configReads++;
            Object marker = live(markerKey);
            Object v = live(hashKey);
            String type = v == null ? "none" : v instanceof String ? "string" : v instanceof TreeMap<?, ?> ? "zset"
                    : v instanceof LinkedHashMap<?, ?> ? "hash" : v instanceof Set<?> ? "set" : "other";
            Map<String, io.github.dubboredis.internal.store.ConfigValue> entries = new LinkedHashMap<>();
            for (String f : fields) {
                String content = "hash".equals(type) ? hash(hashKey, false).get(f) : null;
                if (content == null) {
                    entries.put(f, io.github.dubboredis.internal.store.ConfigValue.ABSENT);
                    continue;
                }
                long size = content.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
                entries.put(f, new io.github.dubboredis.internal.store.ConfigValue(size, size > maxBytes ? null : content,
                        tickets ? sha1(content) : null));
            }
            return new io.github.dubboredis.internal.store.ConfigRead(marker instanceof String m ? m : null, type, entries);
        });
    }

    @Override
    public CompletableFuture<Boolean> putConfig(String hashKey, String field, String content, String channel) {
        return reply(() -> {
            Map<String, String> h = hash(hashKey, true);
            if (content.equals(h.get(field))) {
                return false;
            }
            h.put(field, content);
            publish(channel, field);
            return true;
        });
    }

    @Override
    public CompletableFuture<Boolean> compareAndPutConfig(String hashKey, String field, String content, String expectedTicket,
            String channel) {
        return reply(() -> {
            Map<String, String> h = hash(hashKey, true);
            String current = h.get(field);
            boolean asExpected = expectedTicket == null || expectedTicket.isEmpty() ? current == null
                    : current != null && sha1(current).equals(expectedTicket);
            if (!asExpected) {
                dropIfEmpty(hashKey);
                return false;
            }
            if (!content.equals(current)) {
                h.put(field, content);
                publish(channel, field);
            }
            return true;
        });
    }

    @Override
    public CompletableFuture<Boolean> removeConfig(String hashKey, String field, String channel) {
        return reply(() -> {
            boolean existed = live(hashKey) != null && hash(hashKey, false).remove(field) != null;
            dropIfEmpty(hashKey);
            publish(channel, field);
            return existed;
        });
    }

    @Override
    public CompletableFuture<io.github.dubboredis.internal.store.ConfigPage> configKeys(String hashKey, Object from, int count) {
        return reply(() -> {
            Map<String, String> h = hashForRead(hashKey);
            List<String> fields = new ArrayList<>(h.keySet());
            int start = from == null ? 0 : Integer.parseInt((String) from);
            int end = Math.min(fields.size(), start + count);
            Map<String, Long> sizes = new LinkedHashMap<>();
            for (String f : fields.subList(start, end)) {
                sizes.put(f, (long) h.get(f).getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
            }
            return new io.github.dubboredis.internal.store.ConfigPage(sizes, end >= fields.size() ? null : Integer.toString(end));
        });
    }

    /** Redis's {@code redis.sha1hex}: the SHA-1 of the stored (UTF-8) bytes, in lower-case hex. */
    private static String sha1(String content) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-1")
                    .digest(content.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
