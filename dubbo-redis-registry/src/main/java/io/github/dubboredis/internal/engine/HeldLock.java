package io.github.dubboredis.internal.engine;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.github.dubboredis.internal.store.RegistryStore;

/**
 * A lock held through a long walk (a sweep of the root, a reap of a dead owner's keys). A lock only elects: its
 * TTL is short, and a walk over huge keys, paced to leave Redis to others, can last longer. So the walk extends
 * the lock once a third of its TTL has passed, and stops if it finds the lock lost; otherwise every registry elected after the TTL would start the same walk beside it, and the walks would
 * pile up. Used by one walk at a time, whose steps follow one another.
 */
final class HeldLock {

    private final RegistryStore store;
    private final String key;
    private final String token;
    private final long ttlMillis;
    private long takenAtNanos;
    /** Set when an extension found the lock gone: the walk stops, and every later step sees it at once. */
    private volatile boolean lost;

    HeldLock(RegistryStore store, String key, String token, long ttlMillis) {
        this.store = store;
        this.key = key;
        this.token = token;
        this.ttlMillis = ttlMillis;
    }

    /** Takes the lock; completes with whether this walk won it. */
    CompletableFuture<Boolean> take() {
        if (key == null) {
            return CompletableFuture.completedFuture(true);
        }
        takenAtNanos = store.scheduler().nanoTime();
        return store.tryLock(key, token, ttlMillis);
    }

    /** Before a walk's next step: true if the lock is still held (extended when a third of its TTL is over). */
    CompletableFuture<Boolean> keep() {
        if (key == null || lost) {
            return CompletableFuture.completedFuture(!lost);
        }
        long now = store.scheduler().nanoTime();
        if (now - takenAtNanos < TimeUnit.MILLISECONDS.toNanos(ttlMillis) / 3) {
            return CompletableFuture.completedFuture(true);
        }
        takenAtNanos = now;
        return store.extendLock(key, token, ttlMillis).thenApply(held -> {
            lost = !held;
            return held;
        });
    }

    /** Whether the walk lost the lock (another registry took it after it ran out) and must stop. */
    boolean lost() {
        return lost;
    }

    /** For a walk no lock elected (an operator's sweep or reap now): always held. */
    static HeldLock none(RegistryStore store) {
        return new HeldLock(store, null, null, 0);
    }
}
