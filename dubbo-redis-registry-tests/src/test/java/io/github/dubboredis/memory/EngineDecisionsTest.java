package io.github.dubboredis.memory;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.github.dubboredis.internal.engine.RegistryEngine;
import io.github.dubboredis.internal.model.CategoryKey;
import io.github.dubboredis.internal.watch.Watch;

/**
 * The engine's decisions over time (leases, reaping, data loss), on the in-memory store and a virtual clock:
 * minutes of schedules run in milliseconds, in an order the test fixes.
 */
class EngineDecisionsTest {

    private static final String P1 = "dubbo://10.0.0.1:20880/com.foo.E?interface=com.foo.E";
    private static final String P2 = "dubbo://10.0.0.2:20880/com.foo.E?interface=com.foo.E";

    @Test
    void aRegistryThatStopsRenewingIsReapedByAnotherWithinOneSession() {
        try (MemoryRig rig = new MemoryRig()) {
            RegistryEngine dying = rig.engine("session=4000");
            RegistryEngine survivor = rig.engine("session=4000");
            CategoryKey key = survivor.keyspace().key("com.foo.E", "providers");
            rig.await(dying.registrations().register(key, P1, true));
            rig.await(survivor.registrations().register(key, P2, true));
            MemoryRig.Heard heard = new MemoryRig.Heard();
            rig.await(survivor.subscriptions().start(Watch.of(List.of(key), heard)));
            assertThat(heard.fields(key)).containsExactly(P1, P2);

            dying.close(); // stops renewing, unregisters nothing: a crash as far as Redis can tell
            long elapsed = 0;
            while (heard.fields(key).contains(P1) && elapsed < 10_000) {
                rig.advance(50);
                elapsed += 50;
            }
            assertThat(elapsed).as("ms from the crash to the consumer's list without it").isLessThanOrEqualTo(4000);
            assertThat(heard.fields(key)).containsExactly(P2);
            assertThat(rig.store.hashRaw(key.redisKey())).containsOnlyKeys(P2);
            assertThat(rig.store.raw(survivor.keyspace().ownerKeysKey(dying.registrations().ownerId()))).isNull();

            rig.advance(60_000); // a minute of renewals: the survivor is never reaped
            assertThat(heard.fields(key)).containsExactly(P2);
        }
    }

    @Test
    void garbageInTheOwnersSetAndOwnerRecordsNamingForeignKeysNeverLeadOutsideTheRegistry() {
        try (MemoryRig rig = new MemoryRig()) {
            RegistryEngine engine = rig.engine("session=4000");
            long past = rig.store.serverNow() - 1000;
            java.util.TreeMap<String, Double> owners = new java.util.TreeMap<>();
            for (int i = 0; i < 600; i++) {
                owners.put("not an owner id " + i, (double) past);
            }
            owners.put("deadOwnerWithForeignKeyAaa", (double) past);
            rig.store.putRaw(engine.keyspace().ownersKey(), owners);
            rig.store.putRaw(engine.keyspace().ownerKeysKey("deadOwnerWithForeignKeyAaa"),
                    new java.util.LinkedHashSet<>(List.of("myapp:config", "/elsewhere/com.foo.E/providers")));
            rig.store.putRaw("myapp:config", new java.util.LinkedHashMap<>(Map.of("ts", Long.toString(past))));

            for (int i = 0; i < 5; i++) {
                rig.await(engine.maintenance().reapNow());
            }
            assertThat(rig.store.hashRaw("myapp:config")).as("a key outside the root is never touched").containsKey("ts");
            assertThat(rig.store.raw(engine.keyspace().ownersKey())).as("garbage members removed")
                    .isInstanceOfSatisfying(java.util.TreeMap.class, m -> assertThat(m).isEmpty());
            assertThat(rig.count("malformed key " + engine.keyspace().ownersKey())).isEqualTo(1);
        }
    }

    @Test
    void aDataMarkerRewrittenOverAndOverHoldsEntriesForABoundedTime() {
        try (MemoryRig rig = new MemoryRig()) {
            RegistryEngine provider = rig.engine("session=4000");
            RegistryEngine consumer = rig.engine("session=4000&resync.period=100");
            CategoryKey key = consumer.keyspace().key("com.foo.E", "providers");
            rig.await(provider.registrations().register(key, P1, true));
            MemoryRig.Heard heard = new MemoryRig.Heard();
            rig.await(consumer.subscriptions().start(Watch.of(List.of(key), heard)));

            // Someone rewrites the marker every 500 ms for 20 s, and P1 is removed unannounced meanwhile.
            rig.store.putRaw(key.redisKey(), new java.util.LinkedHashMap<>(Map.of(P2, "1")));
            provider.close();
            long held = 0;
            for (int i = 0; i < 40; i++) {
                rig.store.putRaw(consumer.keyspace().epochKey(), "flip-" + i);
                rig.advance(500);
                if (heard.fields(key).contains(P1)) {
                    held += 500;
                }
            }
            assertThat(rig.count("data lost")).as("holds begun in 20 s").isLessThanOrEqualTo(10);
            assertThat(held).as("ms P1 was still held out of 20,000").isLessThanOrEqualTo(8000);
            assertThat(heard.fields(key)).doesNotContain(P1);
        }
    }

    @Test
    void redisLosingItsDataIsRepopulatedAndNoWatcherIsToldAProviderLeft() {
        try (MemoryRig rig = new MemoryRig()) {
            RegistryEngine provider = rig.engine("session=4000");
            RegistryEngine consumer = rig.engine("session=4000&resync.period=1000");
            CategoryKey key = consumer.keyspace().key("com.foo.E", "providers");
            rig.await(provider.registrations().register(key, P1, true));
            MemoryRig.Heard heard = new MemoryRig.Heard();
            rig.await(consumer.subscriptions().start(Watch.of(List.of(key), heard)));
            int before = heard.count();

            rig.store.loseAllData();
            rig.await(consumer.maintenance().resyncNow("test")); // reads the empty Redis before anyone wrote again
            rig.settle();
            assertThat(consumer.subscriptions().recovering()).isTrue();
            rig.advance(2000); // renewals and the recovery
            assertThat(rig.store.hashRaw(key.redisKey())).containsOnlyKeys(P1);
            assertThat(heard.deliveries.subList(before, heard.count())).allSatisfy(d ->
                    assertThat(d.get(0).liveEntries()).isNotEmpty());
            assertThat(rig.count("data lost")).as("once for each of the two registries").isEqualTo(2);
        }
    }
}
