package io.github.dubboredis.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;

import io.github.dubboredis.testkit.memory.InMemoryRegistryStore;
import io.github.dubboredis.testkit.memory.ManualScheduler;

/** A lock kept through a walk longer than its TTL, on the in-memory store and a clock the test moves. */
class HeldLockTest {

    private static final String KEY = "dubbo-redis:/dubbo/:sweep-lock";

    private final ManualScheduler scheduler = new ManualScheduler();
    private final InMemoryRegistryStore store = new InMemoryRegistryStore(scheduler);

    @Test
    void aWalkThatKeepsItsLockPastTheTtlShutsOthersOutForItsWholeLength() {
        HeldLock walk = new HeldLock(store, KEY, "walker", 900);
        assertThat(get(walk.take())).isTrue();
        for (int i = 0; i < 10; i++) { // 10 steps of 200 ms: 2 s, more than twice the TTL
            scheduler.advance(200);
            assertThat(get(walk.keep())).as("step %d", i).isTrue();
            assertThat(get(store.tryLock(KEY, "another", 900))).as("another registry at step %d", i).isFalse();
        }
    }

    @Test
    void aWalkThatLostItsLockStops() {
        HeldLock walk = new HeldLock(store, KEY, "walker", 900);
        assertThat(get(walk.take())).isTrue();
        scheduler.advance(1000); // a pause longer than the TTL (a stalled Redis, say): the lock ran out
        assertThat(get(store.tryLock(KEY, "another", 900))).isTrue();
        assertThat(get(walk.keep())).isFalse();
        assertThat(walk.lost()).isTrue();
        scheduler.advance(100); // within a third of the TTL: still lost, without asking Redis again
        assertThat(get(walk.keep())).isFalse();
    }

    @Test
    void withinAThirdOfTheTtlKeepingAsksNothingOfRedis() {
        HeldLock walk = new HeldLock(store, KEY, "walker", 900);
        assertThat(get(walk.take())).isTrue();
        store.tryLock(KEY, "walker", 1).join(); // as if the lock were about to run out: only a re-take would show it
        scheduler.advance(200);
        assertThat(get(walk.keep())).isTrue();
        assertThat(get(store.tryLock(KEY, "another", 900))).isTrue();
    }

    @Test
    void aWalkNoLockElectedAlwaysGoesOn() {
        HeldLock none = HeldLock.none(store);
        assertThat(get(none.take())).isTrue();
        scheduler.advance(10_000);
        assertThat(get(none.keep())).isTrue();
    }

    private <T> T get(CompletableFuture<T> f) {
        scheduler.runUntilIdle();
        return f.join();
    }
}
