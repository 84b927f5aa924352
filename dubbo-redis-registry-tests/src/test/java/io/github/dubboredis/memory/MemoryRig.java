package io.github.dubboredis.memory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import io.github.dubboredis.config.RedisRegistrySettings;
import io.github.dubboredis.internal.engine.RegistryEngine;
import io.github.dubboredis.internal.model.CategoryKey;
import io.github.dubboredis.internal.model.KeySnapshot;
import io.github.dubboredis.internal.model.RegistryEntry;
import io.github.dubboredis.internal.report.RegistryObserver;
import io.github.dubboredis.internal.store.RegistryStore;
import io.github.dubboredis.internal.store.StoreHandle;
import io.github.dubboredis.internal.watch.Watch;
import io.github.dubboredis.support.Engines;
import io.github.dubboredis.testkit.memory.InMemoryRegistryStore;
import io.github.dubboredis.testkit.memory.ManualScheduler;

/**
 * Engines on the in-memory store and a virtual clock: what the decision tests run on. Nothing happens until
 * the test runs the scheduler ({@link #settle()}) or moves the clock ({@link #advance}).
 */
final class MemoryRig implements AutoCloseable {

    final ManualScheduler scheduler = new ManualScheduler();
    final InMemoryRegistryStore store = new InMemoryRegistryStore(scheduler);
    final List<String> log = new CopyOnWriteArrayList<>();
    private final List<RegistryEngine> engines = new ArrayList<>();

    /** An engine with these registry parameters (session, resync.period, ...), as after a start-up. */
    RegistryEngine engine(String parameters) {
        RedisRegistrySettings settings = Engines.settings("redis://127.0.0.1:6379?" + parameters);
        StoreHandle handle = new StoreHandle() {
            @Override
            public RegistryStore store() {
                return store;
            }

            @Override
            public void close() {
            }
        };
        RegistryEngine engine = RegistryEngine.open(settings, handle, observer());
        engines.add(engine);
        settle();
        return engine;
    }

    /** Records what engines report, as lines a test can look for. */
    RegistryObserver observer() {
        return new RegistryObserver() {
            @Override
            public void malformedEntries(String key, int count, String exampleField, String reason) {
                log.add("malformed entries " + key + " " + count + " " + reason);
            }

            @Override
            public void malformedKey(String key, String reason) {
                log.add("malformed key " + key + " " + reason);
            }

            @Override
            public void keyTooLarge(String key, long size, long limit) {
                log.add("too large " + key + " " + size + " " + limit);
            }

            @Override
            public void reportsSuppressed(long count) {
                log.add("suppressed " + count);
            }

            @Override
            public void dataLost(String redis, long holdMillis, long lossesWithoutHold) {
                log.add("data lost " + holdMillis + " " + lossesWithoutHold);
            }

            @Override
            public void reaped(String key, int entries) {
                log.add("reaped " + key + " " + entries);
            }
        };
    }

    long count(String prefix) {
        return log.stream().filter(l -> l.startsWith(prefix)).count();
    }

    /** Runs everything queued now. */
    void settle() {
        scheduler.runUntilIdle();
    }

    void advance(long millis) {
        scheduler.advance(millis);
    }

    /** Runs the scheduler until the future completes (it must, without the clock moving), and returns its value. */
    <T> T await(CompletableFuture<T> f) {
        settle();
        if (!f.isDone()) {
            throw new AssertionError("not done after running everything queued");
        }
        return f.join();
    }

    /** A watch on keys that records every delivery. */
    static final class Heard implements Watch.Listener {
        final List<List<KeySnapshot>> deliveries = new CopyOnWriteArrayList<>();

        @Override
        public void onSnapshots(List<KeySnapshot> snapshots) {
            deliveries.add(List.copyOf(snapshots));
        }

        /** The fields of a key as last delivered; null if never delivered. */
        List<String> fields(CategoryKey key) {
            for (int i = deliveries.size() - 1; i >= 0; i--) {
                for (KeySnapshot s : deliveries.get(i)) {
                    if (s.key().equals(key)) {
                        return s.liveEntries().stream().map(RegistryEntry::field).sorted().toList();
                    }
                }
            }
            return null;
        }

        int count() {
            return deliveries.size();
        }
    }

    @Override
    public void close() {
        for (RegistryEngine e : engines) {
            e.close();
        }
        settle();
    }
}
