package io.github.dubboredis.internal.store;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import io.github.dubboredis.internal.concurrent.Scheduler;
import io.github.dubboredis.internal.model.CategoryKey;
import io.github.dubboredis.internal.model.Keyspace;

/**
 * Redis as the registry engine uses it, whatever the topology behind it (one server, failover or replicate
 * over several, Sentinel, Cluster): the operations the registry needs, each with its meaning, not Redis
 * commands. The Redis layer implements them with commands and server-side scripts; an in-memory store (in
 * the testkit) implements the same contract, so the engine's decisions are unit-tested without Redis.
 *
 * <p>Every operation is asynchronous and never blocks. Failures complete the future with a
 * {@link RedisAccessException} (whose message names the node and never a secret); a key of the wrong type
 * with a {@link WrongTypeException}. One store is shared by every registry of a runtime with the same
 * connection settings, and its events reach listeners on its {@link #scheduler()} thread.
 *
 * <p>Work per call is bounded whatever the size of a key: reads and removals go page by page (the
 * {@code count} arguments), so no call keeps Redis busy for long.
 */
public interface RegistryStore {

    /** A secret-free description for log lines, e.g. {@code redis://127.0.0.1:6379/0}. */
    String describe();

    /** Whether commands can be sent now. */
    boolean isConnected();

    /**
     * Whether change records can be relied on: false where one subscriber hears several servers, each with
     * its own sequence ({@code cluster=replicate}); subscribers then read a key whole on every change.
     */
    boolean changeRecordsUsable();

    /** The thread on which the registries of this store keep their state, and its timers. */
    Scheduler scheduler();

    void addListener(StoreListener listener);

    void removeListener(StoreListener listener);

    /** The Redis server's clock, in milliseconds since the epoch (TIME). */
    CompletableFuture<Long> serverTimeMillis();

    // ---- entries: each call changes the hash, records the change and announces it, atomically --------

    /** Writes an entry (HSET), records it and announces {@code register}. */
    CompletableFuture<Void> putEntry(CategoryKey key, String field, String value);

    /**
     * Removes entries (HDEL), records each removal and announces {@code unregister} (also when none
     * existed, as the older registry does, so that every subscriber reads the key again).
     */
    CompletableFuture<Void> removeEntries(CategoryKey key, List<String> fields);

    /** Replaces one entry by another in one step (an instance whose metadata changed): no reader sees neither. */
    CompletableFuture<Void> replaceEntry(CategoryKey key, String oldField, String newField, String value);

    /**
     * Renewal: rewrites values (HSET) without records or announcements; completes with the number of fields
     * that did not exist (Redis had lost them: the caller announces).
     */
    CompletableFuture<Long> rewriteValues(CategoryKey key, Map<String, String> fieldValues);

    /** Publishes a plain announcement on the key's channel (subscribers read the whole key). */
    CompletableFuture<Void> announce(CategoryKey key, String message);

    // ---- reading ------------------------------------------------------------------------------------

    /**
     * The first page of a hash (HSCAN from cursor 0), with its size (HLEN) and, for a key with change
     * records, its sequence number (0 when it has none), all taken before the page.
     */
    CompletableFuture<HashPage> readFirstPage(CategoryKey key, int count);

    /** The key's change sequence and size, read atomically (anti-entropy's cheap check). */
    CompletableFuture<KeyProbe> probe(CategoryKey key);

    /** The next page of a hash from a cursor a previous page gave. */
    CompletableFuture<HashPage> readNextPage(CategoryKey key, String cursor, int count);

    // ---- removing the dead, one bounded step at a time -------------------------------------------------

    /**
     * One step of removing a dead owner's entries from a key: of the fields the scan reaches from
     * {@code cursor}, the dynamic ones whose value is exactly {@code ownerValue} (its last lease expiry),
     * if that lies in the past on Redis's clock. Removals are recorded and announced.
     */
    CompletableFuture<ScanStep> removeOwnerEntries(CategoryKey key, String ownerValue, String cursor, int count);

    /**
     * One step of a sweep: of the fields the scan reaches from {@code cursor}, the dynamic ones whose value
     * is an expiry more than {@code graceMillis} in the past on Redis's clock (entries of older registries).
     */
    CompletableFuture<ScanStep> removeExpiredEntries(CategoryKey key, long graceMillis, String cursor, int count);

    // ---- owner leases ---------------------------------------------------------------------------------

    /**
     * Records a live owner: its lease expiry in the owners set, and the keys it has entries in (added to its
     * key set, which expires at {@code recordExpiresAt} unless renewed).
     */
    CompletableFuture<Void> writeLease(Keyspace keyspace, String ownerId, long expiry, Collection<String> keys,
            long recordExpiresAt);

    /**
     * Adds keys to the key set of an owner whose lease is written and current: as {@link #writeLease}, without
     * writing the lease again. One step instead of two before a registration in a key new to the owner.
     */
    default CompletableFuture<Void> nameLeaseKeys(Keyspace keyspace, String ownerId, long expiry, Collection<String> keys,
            long recordExpiresAt) {
        return writeLease(keyspace, ownerId, expiry, keys, recordExpiresAt);
    }

    /** Forgets one key of an owner's key set (it has no entries there any more). */
    CompletableFuture<Void> forgetOwnedKey(Keyspace keyspace, String ownerId, String key);

    /** Owners whose lease expired between {@code oldest} and {@code now}, most recently expired first. */
    CompletableFuture<List<Lease>> expiredLeases(Keyspace keyspace, long now, long oldest, int limit);

    /** Members of the owners set whose lease expired before {@code before} (too old to reap), at most {@code limit}. */
    CompletableFuture<List<String>> leasesExpiredBefore(Keyspace keyspace, long before, int limit);

    /** Removes members from the owners set (garbage, or too old to reap). */
    CompletableFuture<Void> dropLeases(Keyspace keyspace, Collection<String> members);

    /** One page of a dead owner's key set (SSCAN); {@code from} is null for the first page, else the page's {@code next}. */
    CompletableFuture<KeyPage> ownedKeys(Keyspace keyspace, String ownerId, Object from, int count);

    /**
     * Ends a dead owner's lease once its entries are removed: drops it from the owners set if its expiry is
     * still {@code expectedExpiry} (it did not come back meanwhile), and deletes its key set and reap claim.
     */
    CompletableFuture<Void> endLease(Keyspace keyspace, String ownerId, long expectedExpiry);

    /**
     * Takes a short-lived lock (SET NX PX). A lock someone left without a TTL gets one, and a key of the wrong
     * type there is replaced, so that nothing written by hand can stop the job it elects for good.
     */
    CompletableFuture<Boolean> tryLock(String lockKey, String token, long ttlMillis);

    /**
     * Extends a lock this token holds to {@code ttlMillis} from now; false, changing nothing, if another token holds
     * it or nobody does (it ran out). For a job that runs longer than the lock that elected it.
     */
    CompletableFuture<Boolean> extendLock(String lockKey, String token, long ttlMillis);

    // ---- the data marker -------------------------------------------------------------------------------

    /** Creates the marker if there is none (replacing a key of the wrong type), and returns its value. */
    CompletableFuture<String> establishMarker(String markerKey, String candidate);

    /** The marker's value; null when it is missing, or is not a string (someone overwrote it). */
    CompletableFuture<String> readMarker(String markerKey);

    // ---- keys -----------------------------------------------------------------------------------------

    /**
     * One page of SCAN MATCH pattern; {@code from} is null for the first page, else the page's {@code next}
     * (on Redis Cluster the scan walks the masters in turn).
     */
    CompletableFuture<KeyPage> scanKeys(String pattern, Object from, int count);

    /** TYPE: {@code hash}, {@code string}, ... or {@code none}. */
    CompletableFuture<String> keyType(String key);

    /** HLEN. */
    CompletableFuture<Long> hashSize(String key);

    // ---- plain values, for the metadata and configuration centres ------------------------------------

    /** GET; null when missing. */
    CompletableFuture<String> getValue(String key);

    /** SET, with PX ttl when ttlMillis &gt; 0. */
    CompletableFuture<Void> setValue(String key, String value, long ttlMillis);

    CompletableFuture<Void> deleteKey(String key);

    /** HGET; null when the field or the key is missing. */
    CompletableFuture<String> getField(String key, String field);

    /**
     * Adds {@code item} to the comma-separated list in a hash field unless present, and publishes the field
     * name on {@code channel}: atomic, so two writers never lose each other's item. True if it was added.
     */
    CompletableFuture<Boolean> addToListField(String key, String field, String item, String channel);

    /**
     * Sets a hash field to {@code content} if it is still {@code expected} (null: if it does not exist), and
     * publishes the field name on {@code channel}. True if it was set.
     */
    CompletableFuture<Boolean> compareAndSetField(String key, String field, String expected, String content, String channel);

    // ---- the server, for checks -------------------------------------------------------------------------

    /** INFO section, as Redis prints it. */
    CompletableFuture<String> info(String section);

    /** CONFIG GET of one parameter (fails where ACLs or hosted Redis forbid it). */
    CompletableFuture<String> configGet(String parameter);

    /** PING, answered. */
    CompletableFuture<Void> ping();

    // ---- pub/sub -----------------------------------------------------------------------------------------

    /**
     * Subscribes to exact channels, counting references: a channel stays subscribed while any caller holds
     * it, and is subscribed again after every reconnect. Completes when Redis confirmed the subscription.
     */
    CompletableFuture<Void> subscribe(Collection<String> channels);

    CompletableFuture<Void> unsubscribe(Collection<String> channels);

    /** Pattern subscription (PSUBSCRIBE), reference-counted like {@link #subscribe}. */
    CompletableFuture<Void> subscribePattern(String pattern);

    CompletableFuture<Void> unsubscribePattern(String pattern);

    // ---- operator requests ---------------------------------------------------------------------------

    /** What one node said to a request published on it: how many connections heard it, or why it could not. */
    record NodeReply(String node, long heardBy, String failure) {
    }

    /**
     * {@code cluster=failover} over several nodes: asks every registry on this address list to move back
     * to the first node that answers (they never do by themselves).
     */
    default CompletableFuture<List<NodeReply>> askToMoveBack(String askedBy) {
        return CompletableFuture.failedFuture(new IllegalArgumentException("moving back applies to cluster=failover "
                + "with several nodes (settings 'cluster', 'backup'), not to " + describe()));
    }

    /**
     * How the server-side steps run, as far as learnt: {@code functions} (the registry's function library,
     * FCALL), {@code scripts} (EVALSHA/EVAL) or {@code unknown} (nothing run yet).
     */
    default String serverSteps() {
        return "unknown";
    }

    /** The node commands go to now, for operators; null when none. */
    default String activeNode() {
        return describe();
    }

    // ---- the configuration centre: a hash per group (field = key, value = content) and its channel -------

    /**
     * Reads configuration entries of one hash, with the group's data marker, in one atomic step: for each field
     * its size and, up to {@code maxBytes}, its content (a longer one is not sent: only its size), and with
     * {@code tickets} its ticket. A key of another type is reported as such, not as an error.
     */
    default CompletableFuture<ConfigRead> readConfig(String hashKey, String markerKey, List<String> fields, long maxBytes,
            boolean tickets) {
        return unsupported("the configuration centre");
    }

    /**
     * Sets an entry, unless it holds this content already, and then publishes the field's name on {@code channel}.
     * True if it changed.
     */
    default CompletableFuture<Boolean> putConfig(String hashKey, String field, String content, String channel) {
        return unsupported("the configuration centre");
    }

    /**
     * As {@link #putConfig} if the entry's ticket is still {@code expectedTicket} (null: if the entry does not
     * exist), in one atomic step. True if the condition held (and the entry holds {@code content} now).
     */
    default CompletableFuture<Boolean> compareAndPutConfig(String hashKey, String field, String content,
            String expectedTicket, String channel) {
        return unsupported("the configuration centre");
    }

    /**
     * Removes an entry and publishes the field's name on {@code channel}, also when it did not exist (so that
     * whoever still holds it hears the removal). True if it existed.
     */
    default CompletableFuture<Boolean> removeConfig(String hashKey, String field, String channel) {
        return unsupported("the configuration centre");
    }

    /** One page of a configuration hash's fields with their sizes; {@code from} null for the first page. */
    default CompletableFuture<ConfigPage> configKeys(String hashKey, Object from, int count) {
        return unsupported("the configuration centre");
    }

    private static <T> CompletableFuture<T> unsupported(String what) {
        return CompletableFuture.failedFuture(new UnsupportedOperationException("this store does not support " + what));
    }
}
