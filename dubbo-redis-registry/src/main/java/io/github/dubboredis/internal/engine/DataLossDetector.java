package io.github.dubboredis.internal.engine;

import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import io.github.dubboredis.internal.store.RegistryStore;

/**
 * Tells whether Redis lost its data (restarted empty, FLUSHALL, a failover to a node without it), which no
 * pub/sub message announces. A marker key holds a random value that every registry knows; a read that finds
 * it missing or changed means the data behind it is not the data we knew. The first registry to notice
 * writes a new marker ({@code SET NX}) and the others adopt it. A marker someone overwrote with another type
 * is replaced, so it can never stop a registry from starting.
 */
final class DataLossDetector {

    /** What a marker read means. */
    enum Verdict { SAME, FIRST_SIGHT, LOST }

    private final RegistryStore store;
    private final String key;
    private volatile String known;

    DataLossDetector(RegistryStore store, String key) {
        this.store = store;
        this.key = key;
    }

    /**
     * Creates the marker where there is none and learns its value. The value already known is written if there
     * is one: with {@code cluster=replicate} a node that came back empty thus gets the marker the others hold
     * (a new value there would make every later change of the node read from look like a data loss). After a
     * real loss the known value was forgotten, and a new one marks the new data.
     */
    CompletableFuture<Void> establish() {
        String current = known;
        return store.establishMarker(key, current != null ? current : UUID.randomUUID().toString())
                .thenAccept(value -> known = value);
    }

    /**
     * Compares a marker value read from Redis with the known one. On a loss the known value is forgotten and
     * a new marker established in the background.
     */
    Verdict observe(String observed) {
        String before = known;
        if (observed != null && observed.equals(before)) {
            return Verdict.SAME;
        }
        if (observed != null && before == null) {
            known = observed;
            return Verdict.FIRST_SIGHT;
        }
        known = observed;
        if (observed == null) {
            establish();
        }
        return before == null ? Verdict.FIRST_SIGHT : Verdict.LOST;
    }

    String key() {
        return key;
    }
}
