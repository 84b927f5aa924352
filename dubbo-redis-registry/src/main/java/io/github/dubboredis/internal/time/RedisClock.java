package io.github.dubboredis.internal.time;

import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;

import io.github.dubboredis.internal.store.RegistryStore;

/**
 * Redis's clock, as seen from here: Redis's TIME, taken halfway through the round trip, plus the time
 * elapsed since on the local monotonic clock. Every expiry this registry writes or judges is on this clock,
 * so hosts whose clocks disagree (by minutes, even) agree on who is alive, and a step of the local wall
 * clock (NTP, a VM resumed) changes nothing between two syncs (every reap period).
 */
public final class RedisClock {

    /** Redis's time at one instant of the monotonic clock. */
    private record Reading(long serverMillis, long atNanos) {
    }

    private final LongSupplier nanoTime;
    private final LongSupplier wallMillis;
    private volatile Reading reading;
    private volatile long offsetMillis;

    /**
     * @param nanoTime the monotonic clock
     * @param wallMillis this host's wall clock, used only before the first sync and to report how far Redis's is off
     */
    public RedisClock(LongSupplier nanoTime, LongSupplier wallMillis) {
        this.nanoTime = nanoTime;
        this.wallMillis = wallMillis;
    }

    public CompletableFuture<Void> sync(RegistryStore store) {
        long sentNanos = nanoTime.getAsLong();
        long sentMillis = wallMillis.getAsLong();
        return store.serverTimeMillis().thenAccept(server -> {
            long receivedNanos = nanoTime.getAsLong();
            long receivedMillis = wallMillis.getAsLong();
            reading = new Reading(server, sentNanos + (receivedNanos - sentNanos) / 2);
            offsetMillis = server - (sentMillis + receivedMillis) / 2;
        });
    }

    /** Redis's current time by estimate (the local wall clock until the first sync). */
    public long now() {
        Reading r = reading;
        return r == null ? wallMillis.getAsLong() : r.serverMillis() + (nanoTime.getAsLong() - r.atNanos()) / 1_000_000;
    }

    public boolean isSynced() {
        return reading != null;
    }

    /** How far Redis's clock is ahead of ours (negative: behind), as of the last sync. */
    public long offsetMillis() {
        return offsetMillis;
    }
}
