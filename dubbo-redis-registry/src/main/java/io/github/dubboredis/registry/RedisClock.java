package io.github.dubboredis.registry;

import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;

import io.github.dubboredis.redis.RedisStore;

/**
 * Redis's clock, as seen from here: the local clock plus an offset measured with TIME, halfway
 * through the round trip. Every expiry this registry writes or judges is on this clock, so hosts
 * whose clocks disagree (by minutes, even) agree on who is alive.
 */
public final class RedisClock {

    private final LongSupplier localMillis;
    private volatile long offsetMillis;
    private volatile boolean synced;

    public RedisClock(LongSupplier localMillis) {
        this.localMillis = localMillis;
    }

    public CompletableFuture<Void> sync(RedisStore store) {
        long sent = localMillis.getAsLong();
        return store.serverTimeMillis().thenAccept(server -> {
            long received = localMillis.getAsLong();
            offsetMillis = server - (sent + received) / 2;
            synced = true;
        });
    }

    /** Redis's current time by estimate. */
    public long now() {
        return localMillis.getAsLong() + offsetMillis;
    }

    public boolean isSynced() {
        return synced;
    }

    /** How far Redis's clock is ahead of ours (negative: behind). */
    public long offsetMillis() {
        return offsetMillis;
    }
}
