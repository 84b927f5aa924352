package io.github.dubboredis.registry;

import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;

import io.github.dubboredis.redis.RedisStore;

/**
 * Redis's clock, as seen from here: Redis's TIME, taken halfway through the round trip, plus the time
 * elapsed since on this JVM's monotonic clock. Every expiry this registry writes or judges is on this
 * clock, so hosts whose clocks disagree (by minutes, even) agree on who is alive, and a step of the local
 * wall clock (NTP, a VM resumed) changes nothing between two syncs (every reap period).
 */
public final class RedisClock {

    /** Redis's time at one instant of {@link System#nanoTime()}. */
    private record Reading(long serverMillis, long atNanos) {
    }

    private final LongSupplier localMillis;
    private volatile Reading reading;
    private volatile long offsetMillis;

    /** @param localMillis the local wall clock, used only to report how far Redis's clock is off */
    public RedisClock(LongSupplier localMillis) {
        this.localMillis = localMillis;
    }

    public CompletableFuture<Void> sync(RedisStore store) {
        long sentNanos = System.nanoTime();
        long sentMillis = localMillis.getAsLong();
        return store.serverTimeMillis().thenAccept(server -> {
            long receivedNanos = System.nanoTime();
            long receivedMillis = localMillis.getAsLong();
            reading = new Reading(server, sentNanos + (receivedNanos - sentNanos) / 2);
            offsetMillis = server - (sentMillis + receivedMillis) / 2;
        });
    }

    /** Redis's current time by estimate (the local clock until the first sync). */
    public long now() {
        Reading r = reading;
        return r == null ? localMillis.getAsLong() : r.serverMillis() + (System.nanoTime() - r.atNanos()) / 1_000_000;
    }

    public boolean isSynced() {
        return reading != null;
    }

    /** How far Redis's clock is ahead of ours (negative: behind), as of the last sync. */
    public long offsetMillis() {
        return offsetMillis;
    }
}
