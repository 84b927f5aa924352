package io.github.dubboredis.internal.lettuce;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BinaryOperator;
import java.util.function.Function;

import io.github.dubboredis.config.ConnectionSettings;
import io.github.dubboredis.internal.concurrent.Scheduler;
import io.github.dubboredis.internal.model.CategoryKey;
import io.github.dubboredis.internal.model.Keyspace;
import io.github.dubboredis.internal.store.HashPage;
import io.github.dubboredis.internal.store.KeyPage;
import io.github.dubboredis.internal.store.KeyProbe;
import io.github.dubboredis.internal.store.Lease;
import io.github.dubboredis.internal.store.RedisAccessException;
import io.github.dubboredis.internal.store.RegistryStore;
import io.github.dubboredis.internal.store.ScanStep;
import io.github.dubboredis.internal.store.StoreListener;
import io.github.dubboredis.internal.store.WrongTypeException;
import io.github.dubboredis.text.Printable;
import io.lettuce.core.Limit;
import io.lettuce.core.MapScanCursor;
import io.lettuce.core.Range;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.ValueScanCursor;

/**
 * The {@link RegistryStore} on Lettuce, for every topology: the registry's operations as Redis commands and
 * server-side steps, the subscriptions restored after every reconnect, the heartbeat that lets dead
 * connections be noticed, and the hand-off of client events to the store's scheduler thread. A topology
 * (a subclass) decides only which links take writes, reads and subscriptions.
 */
abstract class LettuceStore implements RegistryStore, NodeLink.Events {

    /** Members per SADD: one command of ten thousand would hold Redis, and every other client, for milliseconds. */
    static final int MEMBERS_PER_COMMAND = 256;

    protected final ConnectionSettings settings;
    protected final Scheduler scheduler;
    protected final DeadLinkDetection deadLinks;
    protected final StoreEventHub events;
    protected final ScriptRunner scripts = new ScriptRunner();
    private final SubscriptionTable subscriptions = new SubscriptionTable();
    private final Set<String> inspectedNodes = ConcurrentHashMap.newKeySet();
    private volatile RedisAccessException lastConnectFailure;
    private Scheduler.Cancellable heartbeat;
    protected volatile boolean closed;

    /** Creates the (unconnected) link to node {@code index}, reporting to {@code events}. */
    interface LinkFactory {
        NodeLink create(int index, NodeLink.Events events);
    }

    LettuceStore(ConnectionSettings settings, Scheduler scheduler, DeadLinkDetection deadLinks) {
        this.settings = settings;
        this.scheduler = scheduler;
        this.deadLinks = deadLinks;
        this.events = new StoreEventHub(scheduler);
    }

    /** Connects; fails only if {@code mustConnect} and no node can be reached now. */
    abstract CompletableFuture<Void> start(boolean mustConnect);

    /** The links that take writes now; empty when none is connected. */
    protected abstract List<NodeLink> writeLinks();

    /** The link reads go to now. */
    protected abstract NodeLink readLink();

    /** The links whose pub/sub connections carry our subscriptions. */
    protected abstract List<NodeLink> subscriberLinks();

    /** Closes the links, completing when they are shut down. */
    abstract CompletableFuture<Void> closeLinks();

    /** Starts the heartbeat: a PING on every link every {@code connect.timeout}, so a silent one is noticed. */
    protected void startHeartbeat() {
        events.info(describe(), deadLinks.describe());
        long period = deadLinks.heartbeat().toMillis();
        heartbeat = scheduler.scheduleWithFixedDelay(this::pingEveryLink, period, period);
    }

    private void pingEveryLink() {
        List<NodeLink> links = new ArrayList<>(writeLinks());
        for (NodeLink l : subscriberLinks()) {
            if (!links.contains(l)) {
                links.add(l);
            }
        }
        for (NodeLink link : links) {
            try {
                link.commands().ping();
                link.pubSub().ping();
            } catch (RuntimeException e) {
                // not connected now: the client reconnects it
            }
        }
    }

    /**
     * Connects a link, remembering why it failed for {@link #lastConnectFailure()}; the first time a node
     * answers, looks at how it is configured ({@link ServerCheck}).
     */
    protected CompletableFuture<Void> connect(NodeLink link) {
        return link.connect().whenComplete((ok, e) -> {
            if (e != null) {
                RedisAccessException failure = RedisErrors.translate(e, link.name(), settings);
                RedisAccessException previous = lastConnectFailure;
                lastConnectFailure = failure;
                if (previous == null || !previous.getMessage().equals(failure.getMessage())) {
                    warning(link, failure.getMessage() + "; retrying, backing off up to "
                            + settings.reconnectPeriod().toMillis() + " ms (setting 'reconnect.period')");
                }
            } else if (inspectedNodes.add(link.name())) {
                ServerCheck.inspect(link, message -> warning(link, message));
            }
        });
    }

    /** Why the last connection attempt failed; null if none did. */
    RedisAccessException lastConnectFailure() {
        return lastConnectFailure;
    }

    @Override
    public String describe() {
        return settings.describe();
    }

    @Override
    public Scheduler scheduler() {
        return scheduler;
    }

    @Override
    public boolean changeRecordsUsable() {
        return true;
    }

    @Override
    public String serverSteps() {
        return scripts.mode();
    }

    @Override
    public void addListener(StoreListener listener) {
        events.add(listener);
    }

    @Override
    public void removeListener(StoreListener listener) {
        events.remove(listener);
    }

    @Override
    public CompletableFuture<Long> serverTimeMillis() {
        return read(link -> link.commands().time().toCompletableFuture()).thenApply(
                t -> Long.parseLong(t.get(0)) * 1000 + Long.parseLong(t.get(1)) / 1000);
    }

    // ---- entries --------------------------------------------------------------------------------

    /** A hash and its sequence key (the hash itself where it has none: scripts declare both in one slot). */
    private static String[] keysOf(CategoryKey key) {
        return new String[] {key.redisKey(), key.hasChangeRecords() ? key.sequenceKey() : key.redisKey()};
    }

    private String channelOf(CategoryKey key) {
        return key.hasChangeRecords() ? key.changeChannel() : "";
    }

    /** '1' when the scripts should record changes for this key. */
    private String recordsFlag(CategoryKey key) {
        return key.hasChangeRecords() && changeRecordsUsable() ? "1" : "0";
    }

    private <T> CompletableFuture<T> onHash(CategoryKey key, CompletableFuture<T> f) {
        return f.exceptionallyCompose(e -> RedisAccessException.isWrongType(e) || RedisErrors.isWrongType(e)
                ? CompletableFuture.failedFuture(new WrongTypeException(key.redisKey(), describe(), "hash"))
                : CompletableFuture.failedFuture(e));
    }

    private <T> CompletableFuture<T> step(Script script, ScriptOutputType type, String[] keys, String... args) {
        return write(link -> scripts.<T>run(link, script, type, keys, args), (a, b) -> a);
    }

    @Override
    public CompletableFuture<Void> putEntry(CategoryKey key, String field, String value) {
        return onHash(key, step(ScriptLibrary.PUT, ScriptOutputType.INTEGER, keysOf(key),
                channelOf(key), recordsFlag(key), field, value)).thenApply(x -> null);
    }

    @Override
    public CompletableFuture<Void> removeEntries(CategoryKey key, List<String> fields) {
        List<String> args = new ArrayList<>(fields.size() + 2);
        args.add(channelOf(key));
        args.add(recordsFlag(key));
        args.addAll(fields);
        return onHash(key, step(ScriptLibrary.REMOVE, ScriptOutputType.INTEGER, keysOf(key), args.toArray(String[]::new)))
                .thenApply(x -> null);
    }

    @Override
    public CompletableFuture<Void> replaceEntry(CategoryKey key, String oldField, String newField, String value) {
        return onHash(key, step(ScriptLibrary.REPLACE, ScriptOutputType.INTEGER, keysOf(key),
                channelOf(key), recordsFlag(key), oldField, newField, value)).thenApply(x -> null);
    }

    @Override
    public CompletableFuture<Long> rewriteValues(CategoryKey key, Map<String, String> fieldValues) {
        return onHash(key, write(link -> link.commands().hset(key.redisKey(), fieldValues).toCompletableFuture(), Math::max));
    }

    @Override
    public CompletableFuture<Void> announce(CategoryKey key, String message) {
        return write(link -> link.commands().publish(key.redisKey(), message).toCompletableFuture(), Math::max)
                .thenApply(n -> null);
    }

    // ---- reading ----------------------------------------------------------------------------------

    @Override
    public CompletableFuture<HashPage> readFirstPage(CategoryKey key, int count) {
        return onHash(key, read(link -> {
            // Sent back to back: one round trip. The probe (sequence and size) comes first, so the page cannot
            // include a change the sequence does not.
            CompletableFuture<List<Object>> probe = scripts.run(link, ScriptLibrary.PROBE, ScriptOutputType.MULTI, keysOf(key));
            CompletableFuture<MapScanCursor<String, String>> page = link.commands()
                    .hscan(key.redisKey(), ScanCursor.INITIAL, ScanArgs.Builder.limit(count)).toCompletableFuture();
            return probe.thenCombine(page, (p, c) -> new HashPage(c.getMap(), nextCursor(c), number(p.get(1)), sequence(p.get(0))));
        }));
    }

    @Override
    public CompletableFuture<HashPage> readNextPage(CategoryKey key, String cursor, int count) {
        return onHash(key, read(link -> link.commands()
                .hscan(key.redisKey(), ScanCursor.of(cursor), ScanArgs.Builder.limit(count)).toCompletableFuture()
                .thenApply(c -> new HashPage(c.getMap(), nextCursor(c), -1, -1))));
    }

    @Override
    public CompletableFuture<KeyProbe> probe(CategoryKey key) {
        return onHash(key, read(link -> scripts.<List<Object>>run(link, ScriptLibrary.PROBE, ScriptOutputType.MULTI, keysOf(key))
                .thenApply(p -> new KeyProbe(sequence(p.get(0)), number(p.get(1))))));
    }

    private static String nextCursor(ScanCursor c) {
        return c.isFinished() ? "0" : c.getCursor();
    }

    /** A sequence as the scripts keep it; anything else counts as none (0). */
    static long sequence(Object raw) {
        return Math.max(0, io.github.dubboredis.internal.model.ChangeRecord.parseSequence(raw == null ? null : String.valueOf(raw)));
    }

    private static long number(Object raw) {
        return raw instanceof Number n ? n.longValue() : Long.parseLong(String.valueOf(raw));
    }

    // ---- removing the dead --------------------------------------------------------------------------

    @Override
    public CompletableFuture<ScanStep> removeOwnerEntries(CategoryKey key, String ownerValue, String cursor, int count) {
        return onHash(key, this.<List<Object>>step(ScriptLibrary.REMOVE_OWNER_ENTRIES, ScriptOutputType.MULTI, keysOf(key),
                channelOf(key), recordsFlag(key), ownerValue, cursor, Integer.toString(count)).thenApply(LettuceStore::scanStep));
    }

    @Override
    public CompletableFuture<ScanStep> removeExpiredEntries(CategoryKey key, long graceMillis, String cursor, int count) {
        return onHash(key, this.<List<Object>>step(ScriptLibrary.REMOVE_EXPIRED_ENTRIES, ScriptOutputType.MULTI, keysOf(key),
                channelOf(key), recordsFlag(key), Long.toString(graceMillis), cursor, Integer.toString(count))
                .thenApply(LettuceStore::scanStep));
    }

    private static ScanStep scanStep(List<Object> result) {
        return new ScanStep((int) number(result.get(1)), String.valueOf(result.get(0)));
    }

    // ---- owner leases ----------------------------------------------------------------------------------

    @Override
    public CompletableFuture<Void> writeLease(Keyspace keyspace, String ownerId, long expiry, Collection<String> keys,
            long recordExpiresAt) {
        List<CompletableFuture<?>> steps = new ArrayList<>();
        steps.add(this.<Long>step(ScriptLibrary.LEASE, ScriptOutputType.INTEGER, new String[] {keyspace.ownersKey()},
                ownerId, Long.toString(expiry)).thenAccept(repaired -> reportRepaired(repaired, keyspace.ownersKey(), "sorted set")));
        nameKeys(keyspace, ownerId, keys, recordExpiresAt, steps);
        return CompletableFuture.allOf(steps.toArray(CompletableFuture[]::new));
    }

    @Override
    public CompletableFuture<Void> nameLeaseKeys(Keyspace keyspace, String ownerId, long expiry, Collection<String> keys,
            long recordExpiresAt) {
        List<CompletableFuture<?>> steps = new ArrayList<>();
        nameKeys(keyspace, ownerId, keys, recordExpiresAt, steps);
        return steps.size() == 1 ? steps.get(0).thenApply(x -> null) : CompletableFuture.allOf(steps.toArray(CompletableFuture[]::new));
    }

    /** The key set's steps: SADDs of up to {@value #MEMBERS_PER_COMMAND} keys, each also setting its expiry. */
    private void nameKeys(Keyspace keyspace, String ownerId, Collection<String> keys, long recordExpiresAt,
            List<CompletableFuture<?>> steps) {
        String ownerKeys = keyspace.ownerKeysKey(ownerId);
        List<String> all = new ArrayList<>(keys);
        int from = 0;
        do {
            List<String> chunk = all.subList(from, Math.min(all.size(), from + MEMBERS_PER_COMMAND));
            List<String> args = new ArrayList<>(chunk.size() + 1);
            args.add(Long.toString(recordExpiresAt));
            args.addAll(chunk);
            steps.add(this.<Long>step(ScriptLibrary.LEASE_KEYS, ScriptOutputType.INTEGER, new String[] {ownerKeys},
                    args.toArray(String[]::new)).thenAccept(repaired -> reportRepaired(repaired, ownerKeys, "set")));
            from += MEMBERS_PER_COMMAND;
        } while (from < all.size());
    }

    private void reportRepaired(Long repaired, String key, String type) {
        if (repaired != null && repaired == 1) {
            events.warning(describe(), "the registry's key '" + Printable.of(key) + "' was not a " + type
                    + " (someone overwrote it): replaced");
        }
    }

    @Override
    public CompletableFuture<Void> forgetOwnedKey(Keyspace keyspace, String ownerId, String key) {
        return write(link -> link.commands().srem(keyspace.ownerKeysKey(ownerId), key).toCompletableFuture(), Math::max)
                .handle((n, e) -> null); // a key set someone broke is replaced by the next lease write
    }

    @Override
    public CompletableFuture<List<Lease>> expiredLeases(Keyspace keyspace, long now, long oldest, int limit) {
        return read(link -> link.commands().zrevrangebyscoreWithScores(keyspace.ownersKey(),
                Range.create((double) oldest, (double) now), Limit.create(0, limit)).toCompletableFuture())
                .thenApply(values -> {
                    List<Lease> leases = new ArrayList<>(values.size());
                    for (ScoredValue<String> v : values) {
                        leases.add(new Lease(v.getValue(), (long) v.getScore()));
                    }
                    return leases;
                })
                .exceptionally(e -> {
                    if (RedisErrors.isWrongType(e) || RedisAccessException.isWrongType(e)) {
                        return List.of(); // replaced by the next lease write
                    }
                    throw new CompletionException(RedisErrors.unwrap(e));
                });
    }

    @Override
    public CompletableFuture<List<String>> leasesExpiredBefore(Keyspace keyspace, long before, int limit) {
        return read(link -> link.commands().zrangebyscore(keyspace.ownersKey(),
                Range.from(Range.Boundary.unbounded(), Range.Boundary.excluding((double) before)), Limit.create(0, limit))
                .toCompletableFuture())
                .exceptionally(e -> {
                    if (RedisErrors.isWrongType(e) || RedisAccessException.isWrongType(e)) {
                        return List.of();
                    }
                    throw new CompletionException(RedisErrors.unwrap(e));
                });
    }

    @Override
    public CompletableFuture<Void> dropLeases(Keyspace keyspace, Collection<String> members) {
        if (members.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        String[] m = members.toArray(String[]::new);
        return write(link -> link.commands().zrem(keyspace.ownersKey(), m).toCompletableFuture(), Math::max).thenApply(n -> null);
    }

    @Override
    public CompletableFuture<KeyPage> ownedKeys(Keyspace keyspace, String ownerId, Object from, int count) {
        ScanCursor cursor = from == null ? ScanCursor.INITIAL : ScanCursor.of((String) from);
        return read(link -> link.commands().sscan(keyspace.ownerKeysKey(ownerId), cursor, ScanArgs.Builder.limit(count))
                .toCompletableFuture())
                .thenApply((ValueScanCursor<String> c) -> new KeyPage(c.getValues(), c.isFinished() ? null : c.getCursor()))
                .exceptionally(e -> {
                    if (RedisErrors.isWrongType(e) || RedisAccessException.isWrongType(e)) {
                        return new KeyPage(List.of(), null);
                    }
                    throw new CompletionException(RedisErrors.unwrap(e));
                });
    }

    @Override
    public CompletableFuture<Void> endLease(Keyspace keyspace, String ownerId, long expectedExpiry) {
        CompletableFuture<Long> ended = step(ScriptLibrary.END_LEASE, ScriptOutputType.INTEGER,
                new String[] {keyspace.ownersKey()}, ownerId, Long.toString(expectedExpiry));
        return ended.thenCompose(n -> n == 1
                ? CompletableFuture.allOf(unlinkKey(keyspace.ownerKeysKey(ownerId)), unlinkKey(keyspace.reapClaimKey(ownerId)))
                : unlinkKey(keyspace.reapClaimKey(ownerId)));
    }

    /**
     * Deletes a key of the registry's own that anyone could have made huge (a lease record): UNLINK frees it in the
     * background; an ACL without +unlink gets DEL.
     */
    private CompletableFuture<Void> unlinkKey(String key) {
        return write(link -> link.commands().unlink(key).toCompletableFuture()
                .exceptionallyCompose(e -> RedisErrors.mentions(e, "NOPERM")
                        ? link.commands().del(key).toCompletableFuture() : CompletableFuture.failedFuture(e)), Math::max)
                .thenApply(n -> null);
    }

    @Override
    public CompletableFuture<Boolean> extendLock(String lockKey, String token, long ttlMillis) {
        return this.<Long>step(ScriptLibrary.EXTEND_LOCK, ScriptOutputType.INTEGER, new String[] {lockKey}, token,
                Long.toString(ttlMillis)).thenApply(n -> n == 1);
    }

    @Override
    public CompletableFuture<Boolean> tryLock(String lockKey, String token, long ttlMillis) {
        return this.<Long>step(ScriptLibrary.LOCK, ScriptOutputType.INTEGER, new String[] {lockKey}, token, Long.toString(ttlMillis))
                .thenApply(n -> {
                    if (n == 2) {
                        reportRepaired(1L, lockKey, "string");
                    } else if (n == -1) {
                        events.warning(describe(), "the registry's lock '" + Printable.of(lockKey) + "' had no TTL (someone "
                                + "set it by hand; it would have stopped its job for good): given one of " + ttlMillis + " ms");
                    }
                    return n == 1 || n == 2;
                });
    }

    // ---- the data marker ---------------------------------------------------------------------------------

    @Override
    public CompletableFuture<String> establishMarker(String markerKey, String candidate) {
        // The type is looked at first, in the same round trip, only to say so when the step replaces the key.
        CompletableFuture<String> type = keyType(markerKey).exceptionally(e -> "unknown");
        CompletableFuture<String> value = step(ScriptLibrary.MARKER, ScriptOutputType.VALUE, new String[] {markerKey}, candidate);
        return type.thenCombine(value, (t, v) -> {
            if (!"none".equals(t) && !"string".equals(t) && !"unknown".equals(t)) {
                reportRepaired(1L, markerKey, "string");
            }
            return v;
        });
    }

    @Override
    public CompletableFuture<String> readMarker(String markerKey) {
        return read(link -> link.commands().get(markerKey).toCompletableFuture()).exceptionally(e -> {
            if (RedisErrors.isWrongType(e) || RedisAccessException.isWrongType(e)) {
                return null; // overwritten with another type: as good as lost (and replaced when re-established)
            }
            throw new CompletionException(RedisErrors.unwrap(e));
        });
    }

    // ---- keys and values ---------------------------------------------------------------------------------

    @Override
    public CompletableFuture<KeyPage> scanKeys(String pattern, Object from, int count) {
        return read(link -> link.scan(pattern, from, count));
    }

    @Override
    public CompletableFuture<String> keyType(String key) {
        return read(link -> link.commands().type(key).toCompletableFuture());
    }

    @Override
    public CompletableFuture<Long> hashSize(String key) {
        return read(link -> link.commands().hlen(key).toCompletableFuture());
    }

    @Override
    public CompletableFuture<String> getValue(String key) {
        return read(link -> link.commands().get(key).toCompletableFuture());
    }

    @Override
    public CompletableFuture<Void> setValue(String key, String value, long ttlMillis) {
        SetArgs args = ttlMillis > 0 ? SetArgs.Builder.px(ttlMillis) : new SetArgs();
        return write(link -> link.commands().set(key, value, args).toCompletableFuture(), (a, b) -> a).thenApply(ok -> null);
    }

    @Override
    public CompletableFuture<Void> deleteKey(String key) {
        return write(link -> link.commands().del(key).toCompletableFuture(), Math::max).thenApply(n -> null);
    }

    @Override
    public CompletableFuture<String> getField(String key, String field) {
        return read(link -> link.commands().hget(key, field).toCompletableFuture());
    }

    @Override
    public CompletableFuture<Boolean> addToListField(String key, String field, String item, String channel) {
        return this.<Long>step(ScriptLibrary.LIST_ADD, ScriptOutputType.INTEGER, new String[] {key}, field, item, channel)
                .thenApply(n -> n == 1);
    }

    @Override
    public CompletableFuture<Boolean> compareAndSetField(String key, String field, String expected, String content,
            String channel) {
        return this.<Long>step(ScriptLibrary.FIELD_CAS, ScriptOutputType.INTEGER, new String[] {key}, field, content, channel,
                expected == null ? "" : expected, expected == null ? "absent" : "present").thenApply(n -> n == 1);
    }

    @Override
    public CompletableFuture<String> info(String section) {
        return read(link -> link.commands().info(section).toCompletableFuture());
    }

    @Override
    public CompletableFuture<String> configGet(String parameter) {
        return read(link -> link.commands().configGet(parameter).toCompletableFuture()).thenApply(m -> m.get(parameter));
    }

    @Override
    public CompletableFuture<Void> ping() {
        return read(link -> link.commands().ping().toCompletableFuture()).thenApply(pong -> null);
    }

    /** The function library text, for operators who load it (see {@link ScriptLibrary#functionLibrary()}). */
    CompletableFuture<String> loadFunctions() {
        return write(link -> link.commands().functionLoad(ScriptLibrary.functionLibrary(), true).toCompletableFuture(),
                (a, b) -> a);
    }

    // ---- running commands ---------------------------------------------------------------------------

    /** Runs a read on the read link, translating failures. */
    protected <T> CompletableFuture<T> read(Function<NodeLink, CompletableFuture<T>> command) {
        NodeLink link;
        try {
            link = readLink();
        } catch (RuntimeException e) {
            return failed(e, describe());
        }
        try {
            return command.apply(link).exceptionallyCompose(e -> failed(e, link.name()));
        } catch (RuntimeException e) {
            return failed(e, link.name());
        }
    }

    /**
     * Runs a write on every write link. It succeeds when at least one link took it (the others are repopulated
     * when they return); results of several links are combined.
     */
    protected <T> CompletableFuture<T> write(Function<NodeLink, CompletableFuture<T>> command, BinaryOperator<T> combine) {
        return onEach(writeLinks(), command, combine);
    }

    /** Runs a command on each link; succeeds if any link succeeded, with their results combined. */
    private <T> CompletableFuture<T> onEach(List<NodeLink> links, Function<NodeLink, CompletableFuture<T>> command,
            BinaryOperator<T> combine) {
        if (links.isEmpty()) {
            return CompletableFuture.failedFuture(new RedisAccessException("not connected to Redis at " + describe(), null));
        }
        List<CompletableFuture<T>> each = new ArrayList<>();
        for (NodeLink link : links) {
            CompletableFuture<T> f;
            try {
                f = command.apply(link).exceptionallyCompose(e -> failed(e, link.name()));
            } catch (RuntimeException e) {
                f = failed(e, link.name());
            }
            each.add(f);
        }
        if (each.size() == 1) {
            return each.get(0);
        }
        return CompletableFuture.allOf(each.toArray(CompletableFuture[]::new)).handle((ignored, error) -> {
            T result = null;
            boolean any = false;
            Throwable firstError = null;
            for (CompletableFuture<T> f : each) {
                if (f.isCompletedExceptionally()) {
                    firstError = firstError == null ? f.handle((v, e) -> e).join() : firstError;
                } else {
                    T v = f.join();
                    result = any ? combine.apply(result, v) : v;
                    any = true;
                }
            }
            if (!any) {
                throw new CompletionException(RedisErrors.unwrap(firstError));
            }
            return result;
        });
    }

    private <T> CompletableFuture<T> failed(Throwable e, String node) {
        Throwable cause = RedisErrors.unwrap(e);
        if (RedisErrors.isWrongType(cause)) {
            return CompletableFuture.failedFuture(new WrongTypeException("(unnamed)", node, "the expected type"));
        }
        return CompletableFuture.failedFuture(RedisErrors.translate(cause, node, settings));
    }

    // ---- pub/sub -----------------------------------------------------------------------------------

    private final SubscriptionTable.Sender toSubscribers = command -> onEach(subscriberLinks(), command, (a, b) -> a);

    @Override
    public CompletableFuture<Void> subscribe(Collection<String> channels) {
        return subscriptions.subscribe(channels, toSubscribers);
    }

    @Override
    public CompletableFuture<Void> unsubscribe(Collection<String> channels) {
        return subscriptions.unsubscribe(channels, toSubscribers);
    }

    @Override
    public CompletableFuture<Void> subscribePattern(String pattern) {
        return subscriptions.subscribePattern(pattern, toSubscribers);
    }

    @Override
    public CompletableFuture<Void> unsubscribePattern(String pattern) {
        return subscriptions.unsubscribePattern(pattern, toSubscribers);
    }

    /** A channel the store itself listens on for as long as it lives (see {@link SubscriptionTable#keepSubscribed}). */
    protected void keepSubscribed(String channel) {
        subscriptions.keepSubscribed(channel);
    }

    protected CompletableFuture<Void> restoreSubscriptions(NodeLink link) {
        try {
            return subscriptions.restore(link, message -> warning(link, message)).exceptionallyCompose(e -> failed(e, link.name()));
        } catch (RuntimeException e) {
            return failed(e, link.name());
        }
    }

    /** Restores a link's subscriptions, then tells the listeners; retries with back-off until it works. */
    protected void restoreSubscriptionsThenNotify(NodeLink link, int attempt) {
        if (closed || !subscriberLinks().contains(link)) {
            return;
        }
        restoreSubscriptions(link).whenCompleteAsync((ok, e) -> {
            if (e == null) {
                events.fireNow(l -> l.onSubscriptionsRestored(link.name()));
            } else if (!closed) {
                scheduler.schedule(() -> restoreSubscriptionsThenNotify(link, attempt + 1), backoffMillis(attempt));
            }
        }, scheduler);
    }

    /** Full-jitter exponential back-off, capped by {@code reconnect.period}. */
    protected long backoffMillis(int attempt) {
        long cap = settings.reconnectPeriod().toMillis();
        long ceiling = Math.min(cap, 100L << Math.min(attempt, 16));
        return 50 + ThreadLocalRandom.current().nextLong(Math.max(1, ceiling));
    }

    // ---- events from links (on client threads: hand off at once) ------------------------------------

    @Override
    public void commandsConnected(NodeLink link, boolean reconnect) {
        scripts.relearn();
        if (reconnect) {
            scheduler.execute(() -> {
                if (writeLinks().contains(link)) {
                    events.fireNow(l -> l.onWritesRestored(link.name()));
                }
            });
        }
    }

    @Override
    public void pubSubConnected(NodeLink link, boolean reconnect) {
        if (reconnect) {
            scheduler.execute(() -> restoreSubscriptionsThenNotify(link, 0));
        }
    }

    @Override
    public void disconnected(NodeLink link, String cause) {
        events.connectionLost(link.name(), cause);
        scheduler.execute(() -> linkLost(link));
    }

    /** Topology hook, on the scheduler thread: a link stopped answering. */
    protected void linkLost(NodeLink link) {
    }

    @Override
    public void message(NodeLink link, String channel, String message) {
        events.fire(l -> l.onMessage(channel, message));
    }

    @Override
    public void patternMessage(NodeLink link, String pattern, String channel, String message) {
        events.fire(l -> l.onPatternMessage(pattern, channel, message));
    }

    @Override
    public void warning(NodeLink link, String message) {
        events.warning(link.name(), message);
    }

    /**
     * Told by the watchdog, on an I/O thread: a connection was closed for its silence. Said at most once a
     * minute: while a node stays silent every reconnect attempt ends the same way.
     */
    void silentConnectionClosed(java.net.SocketAddress address, long silentMillis) {
        long now = System.nanoTime();
        long last = lastSilenceReport;
        if (last != 0 && now - last < java.util.concurrent.TimeUnit.MINUTES.toNanos(1)) {
            return;
        }
        lastSilenceReport = now;
        events.warning(String.valueOf(address), "no answer for " + silentMillis + " ms while a command waited: closed the "
                + "connection to reconnect (settings 'timeout' + 'connect.timeout')");
    }

    private volatile long lastSilenceReport;

    /** Stops the heartbeat and closes the links. */
    CompletableFuture<Void> shutdown() {
        closed = true;
        if (heartbeat != null) {
            heartbeat.cancel();
        }
        return closeLinks();
    }

    // ---- the configuration centre (see ConfigCommands) ----------------------------------------------

    private final ConfigCommands config = new ConfigCommands(this);

    @Override
    public CompletableFuture<io.github.dubboredis.internal.store.ConfigRead> readConfig(String hashKey, String markerKey,
            List<String> fields, long maxBytes, boolean tickets) {
        return config.read(hashKey, markerKey, fields, maxBytes, tickets);
    }

    @Override
    public CompletableFuture<Boolean> putConfig(String hashKey, String field, String content, String channel) {
        return config.put(hashKey, field, content, channel);
    }

    @Override
    public CompletableFuture<Boolean> compareAndPutConfig(String hashKey, String field, String content, String expectedTicket,
            String channel) {
        return config.compareAndPut(hashKey, field, content, expectedTicket, channel);
    }

    @Override
    public CompletableFuture<Boolean> removeConfig(String hashKey, String field, String channel) {
        return config.remove(hashKey, field, channel);
    }

    @Override
    public CompletableFuture<io.github.dubboredis.internal.store.ConfigPage> configKeys(String hashKey, Object from, int count) {
        return config.keys(hashKey, from, count);
    }
}
