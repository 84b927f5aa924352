package io.github.dubboredis.redis;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Redis as the registry model sees it, whatever the topology behind it (one server, failover or
 * replicate over several, Sentinel, Cluster). Writes go to every node that holds registry data; reads
 * and scans to one. Every operation is asynchronous and never blocks the caller; failures complete the
 * future with a {@link RedisAccessException} whose message names the node and is free of secrets.
 *
 * <p>One store is shared by every registry in the JVM with the same connection settings: one command
 * connection and one pub/sub connection per Redis node, however many services are registered or watched.
 */
public interface RedisStore {

    /** A secret-free description for log lines, e.g. {@code redis://127.0.0.1:6379/0}. */
    String describe();

    /** Whether commands can be sent now. */
    boolean isConnected();

    /**
     * The single thread on which the registries built on this store run their timers and handle
     * events; nothing runs on Redis client I/O threads.
     */
    ScheduledExecutorService executor();

    void addListener(StoreListener listener);

    void removeListener(StoreListener listener);

    // ---- reads -------------------------------------------------------------------------------

    /** HGETALL; fails with {@link WrongTypeException} when the key is not a hash. */
    CompletableFuture<Map<String, String>> readHash(String key);

    /** GET; null when the key does not exist. */
    CompletableFuture<String> readValue(String key);

    /** HGET; null when the field or the key does not exist. */
    CompletableFuture<String> readField(String key, String field);

    /** TYPE: {@code hash}, {@code string}, ... or {@code none}. */
    CompletableFuture<String> keyType(String key);

    /** INFO section, as Redis prints it. */
    CompletableFuture<String> info(String section);

    /** CONFIG GET parameter ...; fails (NOPERM, or unknown command on hosted Redis) where not allowed. */
    CompletableFuture<Map<String, String>> configGet(String... parameters);

    /** PING, answered. */
    CompletableFuture<Void> ping();

    /** The Redis server's clock, in milliseconds since the epoch (TIME). */
    CompletableFuture<Long> serverTimeMillis();

    /** Every key matching the glob pattern, by SCAN (never KEYS); on a cluster, over every master. */
    CompletableFuture<List<String>> scanKeys(String pattern);

    /** ZRANGEBYSCORE index -inf maxScore LIMIT 0 limit, with scores. */
    CompletableFuture<Map<String, Double>> rangeByScore(String index, double maxScore, int limit);

    // ---- writes ------------------------------------------------------------------------------

    /** HSET key f1 v1 f2 v2 ...; the number of fields that did not exist before (on any node). */
    CompletableFuture<Long> writeFields(String key, Map<String, String> fieldValues);

    /** HDEL key f1 f2 ...; the number removed (on any node). */
    CompletableFuture<Long> deleteFields(String key, Collection<String> fields);

    CompletableFuture<Void> publish(String channel, String message);

    /** ZADD index score member ... */
    CompletableFuture<Void> addScored(String index, Map<String, Double> memberScores);

    /** ZREM index member ... */
    CompletableFuture<Void> removeScored(String index, Collection<String> members);

    /**
     * Runs a Lua script that touches only {@code key}, on every write node; the result of the first
     * node (in configuration order) that ran it is returned.
     */
    CompletableFuture<List<Object>> runScript(LuaScript script, String key, List<String> args);

    /** SET key token NX PX ttl: true when this caller took the lock. */
    CompletableFuture<Boolean> tryLock(String key, String token, long ttlMillis);

    /** SET key value NX (no expiry): true when this caller set it. */
    CompletableFuture<Boolean> setIfAbsent(String key, String value);

    /** SET key value, with PX ttl when ttlMillis &gt; 0. */
    CompletableFuture<Void> writeValue(String key, String value, long ttlMillis);

    /** DEL key. */
    CompletableFuture<Void> deleteKey(String key);

    // ---- pub/sub -----------------------------------------------------------------------------

    /**
     * Subscribes to exact channels, counting references: a channel stays subscribed while any
     * caller holds it. Completes when Redis confirmed the subscription.
     */
    CompletableFuture<Void> subscribe(Collection<String> channels);

    CompletableFuture<Void> unsubscribe(Collection<String> channels);

    /** Pattern subscription (PSUBSCRIBE), reference-counted like {@link #subscribe}. */
    CompletableFuture<Void> subscribePattern(String pattern);

    CompletableFuture<Void> unsubscribePattern(String pattern);

    // ---- operator requests -------------------------------------------------------------------

    /** What one node said to a request published on it: how many connections heard it, or why it could not. */
    record NodeReply(String node, long heardBy, String failure) {
    }

    /**
     * {@code cluster=failover} over several nodes: asks every registry on this address list to move back
     * to the first node that answers (they never do by themselves). The request is published on every
     * node that answers, since registries may be on any of them. {@code heardBy} does not count this
     * store's own connection.
     */
    default CompletableFuture<List<NodeReply>> askToMoveBack(String askedBy) {
        return CompletableFuture.failedFuture(new IllegalArgumentException("moving back applies to cluster=failover "
                + "with several nodes (settings 'cluster', 'backup'), not to " + describe()));
    }
}
