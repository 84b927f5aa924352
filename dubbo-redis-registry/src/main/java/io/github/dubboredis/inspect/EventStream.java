package io.github.dubboredis.inspect;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

import io.github.dubboredis.internal.model.CategoryKey;
import io.github.dubboredis.internal.model.KeySnapshot;
import io.github.dubboredis.internal.model.RegistryEntry;
import io.github.dubboredis.internal.watch.Subscriptions;
import io.github.dubboredis.internal.watch.Watch;

/**
 * A live stream of registry events, kept the way registries keep their own views current (change records
 * applied without reads, bursts folded into few reads, big keys read page by page or refused): so a flood
 * of announcements costs an operator's tool what it costs a registry, not a read per message.
 */
public final class EventStream implements AutoCloseable {

    private final Subscriptions subscriptions;
    private final Watch watch;
    private final Map<String, Map<String, Long>> known = new HashMap<>();
    private final java.util.function.LongSupplier redisNow;
    private final Consumer<RegistryEvent> listener;
    private boolean first = true;

    EventStream(Subscriptions subscriptions, List<CategoryKey> keys, java.util.function.LongSupplier redisNow,
            Consumer<RegistryEvent> listener) {
        this.subscriptions = subscriptions;
        this.redisNow = redisNow;
        this.listener = listener;
        this.watch = keys == null ? Watch.everythingWithInstances(this::onSnapshots) : Watch.of(keys, this::onSnapshots);
    }

    /** Starts watching; completes once the current state is known (it produces no events). */
    CompletableFuture<Void> start() {
        return subscriptions.start(watch);
    }

    /** Runs on the session's scheduler thread: compares each key's new entries with the last known. */
    private void onSnapshots(List<KeySnapshot> snapshots) {
        boolean initial = first;
        first = false;
        long now = redisNow.getAsLong();
        for (KeySnapshot s : snapshots) {
            String key = s.key().redisKey();
            Map<String, Long> before = known.getOrDefault(key, Map.of());
            Map<String, Long> after = new HashMap<>();
            for (RegistryEntry e : s.liveEntries()) {
                after.put(e.field(), e.expiryMillis());
            }
            if (!initial) {
                List<RegistryEvent> events = new ArrayList<>();
                for (String field : after.keySet()) {
                    if (!before.containsKey(field)) {
                        events.add(new RegistryEvent(System.currentTimeMillis(), RegistryEvent.Type.REGISTER, key, field));
                    }
                }
                for (Map.Entry<String, Long> gone : before.entrySet()) {
                    if (!after.containsKey(gone.getKey())) {
                        RegistryEvent.Type type = gone.getValue() < now ? RegistryEvent.Type.EXPIRED : RegistryEvent.Type.UNREGISTER;
                        events.add(new RegistryEvent(System.currentTimeMillis(), type, key, gone.getKey()));
                    }
                }
                events.forEach(listener);
            }
            if (after.isEmpty()) {
                known.remove(key);
            } else {
                known.put(key, after);
            }
        }
    }

    @Override
    public void close() {
        subscriptions.stop(watch).join();
    }
}
