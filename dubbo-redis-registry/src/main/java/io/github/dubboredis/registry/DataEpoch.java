package io.github.dubboredis.registry;

import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import io.github.dubboredis.redis.RedisStore;

/**
 * Tells whether Redis lost its data (restarted empty, FLUSHALL, a failover to a node without it), which
 * no pub/sub message announces. A marker key holds a random value that every registry knows; a read
 * that finds it missing or changed means the data behind it is not the data we knew. The first
 * registry to notice writes a new marker ({@code SET NX}) and the others adopt it.
 */
final class DataEpoch {

    private final RedisStore store;
    private final String key;
    private volatile String known;

    DataEpoch(RedisStore store, RegistryRoot root) {
        this.store = store;
        this.key = root.epochKey();
    }

    String key() {
        return key;
    }

    /**
     * Creates the marker where there is none and learns its value. The value already known is written if
     * there is one: with {@code cluster=replicate} a node that came back empty thus gets the marker the
     * others hold (a new value there would make every later change of the node read from look like a
     * data loss). After a real loss the known value was forgotten, and a new one marks the new data.
     */
    CompletableFuture<Void> establish() {
        String current = known;
        return store.setIfAbsent(key, current != null ? current : UUID.randomUUID().toString())
                .thenCompose(ignored -> store.readValue(key))
                .thenAccept(value -> known = value);
    }

    /**
     * Compares a value read from Redis with the known one.
     *
     * @return true if Redis lost its data since the marker was last seen (the caller recovers); the
     *     marker is then re-established in the background
     */
    boolean lostSince(String observed) {
        String before = known;
        if (observed != null && observed.equals(before)) {
            return false;
        }
        if (observed != null && before == null) {
            known = observed; // first sight
            return false;
        }
        known = observed;
        if (observed == null) {
            establish();
        }
        return before != null;
    }
}
