package io.github.dubboredis.memory;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;

import io.github.dubboredis.internal.engine.RegistryEngine;
import io.github.dubboredis.internal.model.CategoryKey;
import io.github.dubboredis.internal.model.ChangeRecord;
import io.github.dubboredis.internal.watch.Watch;

/**
 * How a watched key is kept current, decided on the in-memory store with a virtual clock: every order of
 * events is fixed by the test, so each count is exact and each test takes milliseconds.
 */
class SubscriptionsTest {

    private static final String P1 = "dubbo://10.0.0.1:20880/com.foo.S?interface=com.foo.S";
    private static final String P2 = "dubbo://10.0.0.2:20880/com.foo.S?interface=com.foo.S";
    private static final String P3 = "dubbo://10.0.0.3:20880/com.foo.S?interface=com.foo.S";

    private static CategoryKey providers(RegistryEngine e) {
        return e.keyspace().key("com.foo.S", "providers");
    }

    @Test
    void changeRecordsReachWatchersWithoutAnyRead() {
        try (MemoryRig rig = new MemoryRig()) {
            RegistryEngine provider = rig.engine("session=60000");
            RegistryEngine consumer = rig.engine("session=60000");
            CategoryKey key = providers(consumer);
            MemoryRig.Heard heard = new MemoryRig.Heard();
            rig.await(consumer.subscriptions().start(Watch.of(List.of(key), heard)));
            assertThat(heard.fields(key)).isEmpty();
            long reads = rig.store.reads();

            rig.await(provider.registrations().register(key, P1, true));
            rig.await(provider.registrations().register(key, P2, true));
            rig.await(provider.registrations().unregister(key, P1));
            rig.settle();

            assertThat(heard.fields(key)).containsExactly(P2);
            assertThat(heard.count()).isEqualTo(4); // the first delivery and one per change
            assertThat(rig.store.reads()).as("reads after the first").isEqualTo(reads);
        }
    }

    @Test
    void anAnnouncementNoRecordExplainsReadsTheKeyOnce() {
        try (MemoryRig rig = new MemoryRig()) {
            RegistryEngine consumer = rig.engine("session=60000");
            CategoryKey key = providers(consumer);
            MemoryRig.Heard heard = new MemoryRig.Heard();
            rig.await(consumer.subscriptions().start(Watch.of(List.of(key), heard)));
            long reads = rig.store.reads();

            // What an older registry does: HSET, then PUBLISH register.
            rig.store.writeFieldRaw(key.redisKey(), P1, Long.toString(rig.store.serverNow() + 60_000));
            rig.store.publishRaw(key.redisKey(), "register");
            rig.settle();

            assertThat(heard.fields(key)).containsExactly(P1);
            assertThat(rig.store.reads() - reads).isEqualTo(1);
        }
    }

    @Test
    void announcementsQueuedBehindEachOtherAreFoldedIntoOneRead() {
        try (MemoryRig rig = new MemoryRig()) {
            RegistryEngine consumer = rig.engine("session=60000");
            CategoryKey key = providers(consumer);
            MemoryRig.Heard heard = new MemoryRig.Heard();
            rig.await(consumer.subscriptions().start(Watch.of(List.of(key), heard)));
            long reads = rig.store.reads();

            rig.store.writeFieldRaw(key.redisKey(), P1, Long.toString(rig.store.serverNow() + 60_000));
            for (int i = 0; i < 200; i++) {
                rig.store.publishRaw(key.redisKey(), "register"); // all queued before the registry's thread runs
            }
            rig.settle();

            assertThat(rig.store.reads() - reads).isEqualTo(1);
            assertThat(heard.fields(key)).containsExactly(P1);
        }
    }

    @Test
    void announcementsArrivingWhileAReadIsInFlightCauseExactlyOneFollowUp() {
        try (MemoryRig rig = new MemoryRig()) {
            RegistryEngine consumer = rig.engine("session=60000");
            CategoryKey key = providers(consumer);
            MemoryRig.Heard heard = new MemoryRig.Heard();
            rig.await(consumer.subscriptions().start(Watch.of(List.of(key), heard)));
            long reads = rig.store.reads();

            rig.store.holdReplies();
            rig.store.publishRaw(key.redisKey(), "register");
            rig.settle(); // that read is sent; its answer is held
            rig.store.writeFieldRaw(key.redisKey(), P1, Long.toString(rig.store.serverNow() + 60_000));
            for (int part = 0; part < 3; part++) {
                for (int i = 0; i < 66; i++) {
                    rig.store.publishRaw(key.redisKey(), "register");
                }
                rig.settle(); // each part taken in on its own while the read is in flight
            }
            assertThat(rig.store.reads() - reads).as("no second read while one is in flight").isEqualTo(1);
            rig.store.releaseReplies();
            rig.settle();
            rig.advance(100); // the follow-up waits for quiet (at most 50 ms)

            assertThat(rig.store.reads() - reads).as("the read in flight and one follow-up").isEqualTo(2);
            assertThat(heard.fields(key)).containsExactly(P1);
        }
    }

    @Test
    void aGapInTheRecordsReadsTheKeyWholeAndRecordsMeanwhileAreReplayed() {
        try (MemoryRig rig = new MemoryRig()) {
            RegistryEngine provider = rig.engine("session=60000");
            RegistryEngine consumer = rig.engine("session=60000");
            CategoryKey key = providers(consumer);
            MemoryRig.Heard heard = new MemoryRig.Heard();
            rig.await(provider.registrations().register(key, P1, true));
            rig.await(consumer.subscriptions().start(Watch.of(List.of(key), heard)));
            long reads = rig.store.reads();

            // A record that skips a number (one was lost): the key is read whole.
            long current = Long.parseLong((String) rig.store.raw(key.sequenceKey()));
            String far = new ChangeRecord(current + 5, true, false, ChangeRecord.Op.CREATED, "1", "ghost").encode();
            rig.store.holdReplies();
            rig.store.publishRaw(key.changeChannel(), far);
            rig.store.publishRaw(key.redisKey(), "register");
            rig.settle();
            assertThat(rig.store.reads() - reads).isEqualTo(1);
            // While that read is in flight, two real changes come: kept, and replayed over its result.
            provider.registrations().register(key, P2, true);
            provider.registrations().register(key, P3, true);
            rig.settle();
            rig.store.releaseReplies();
            rig.settle();

            assertThat(heard.fields(key)).containsExactly(P1, P2, P3);
            assertThat(rig.store.reads() - reads).isEqualTo(1);
        }
    }

    @Test
    void aWatchStoppedBeforeItsFirstReadCompletesNeverHearsAgain() {
        try (MemoryRig rig = new MemoryRig()) {
            RegistryEngine provider = rig.engine("session=60000");
            RegistryEngine consumer = rig.engine("session=60000");
            CategoryKey key = providers(consumer);
            MemoryRig.Heard heard = new MemoryRig.Heard();
            Watch watch = Watch.of(List.of(key), heard);
            rig.store.holdReplies();
            CompletableFuture<Void> started = consumer.subscriptions().start(watch); // not waited for, as Dubbo's discovery does
            rig.settle();
            CompletableFuture<Void> stopped = consumer.subscriptions().stop(watch); // before the first read came back
            rig.store.releaseReplies();
            rig.settle();
            assertThat(started).isDone();
            assertThat(stopped).isDone();

            rig.await(provider.registrations().register(key, P1, true));
            rig.settle();
            assertThat(heard.count()).as("deliveries to the stopped watch").isZero();
            assertThat(rig.store.subscribedChannels()).doesNotContainKey(key.redisKey());
        }
    }

    @Test
    void entriesThatVanishUnannouncedAreHeldForTheSettlePeriodThenDropped() {
        try (MemoryRig rig = new MemoryRig()) {
            RegistryEngine consumer = rig.engine("session=4000&reconnect.period=300");
            CategoryKey key = providers(consumer);
            MemoryRig.Heard heard = new MemoryRig.Heard();
            rig.store.writeFieldRaw(key.redisKey(), P1, Long.toString(rig.store.serverNow() + 60_000));
            rig.await(consumer.subscriptions().start(Watch.of(List.of(key), heard)));
            assertThat(heard.fields(key)).containsExactly(P1);

            rig.store.putRaw(key.redisKey(), new java.util.LinkedHashMap<String, String>()); // gone, no message
            rig.await(consumer.maintenance().resyncNow("test"));
            rig.settle();
            assertThat(heard.fields(key)).as("kept while its owner could write it again").containsExactly(P1);

            rig.advance(consumer.timings().settlePeriod().toMillis() + 10);
            assertThat(heard.fields(key)).as("dropped after the settle period").isEmpty();
        }
    }

    @Test
    void antiEntropyComparesSequenceAndSizeAndReadsOnlyKeysThatDiffer() {
        try (MemoryRig rig = new MemoryRig()) {
            RegistryEngine provider = rig.engine("session=60000&resync.period=1000");
            RegistryEngine consumer = rig.engine("session=60000&resync.period=1000");
            CategoryKey quiet = consumer.keyspace().key("com.foo.Quiet", "providers");
            CategoryKey touched = providers(consumer);
            MemoryRig.Heard heard = new MemoryRig.Heard();
            rig.await(provider.registrations().register(quiet, P1.replace("S", "Quiet"), true));
            rig.await(consumer.subscriptions().start(Watch.of(List.of(quiet, touched), heard)));
            long reads = rig.store.reads();

            // Written by a careless client: no record, no announcement. The next pass sees the size differ.
            rig.store.writeFieldRaw(touched.redisKey(), P2, Long.toString(rig.store.serverNow() + 60_000));
            rig.advance(1000);
            assertThat(heard.fields(touched)).containsExactly(P2);
            assertThat(rig.store.reads() - reads).as("only the key that differed was read").isEqualTo(1);
            assertThat(rig.store.probes()).isGreaterThanOrEqualTo(2);
        }
    }

    @Test
    void aKeyOverTheLimitIsRefusedOnceWhileTheOthersAreDelivered() {
        try (MemoryRig rig = new MemoryRig()) {
            RegistryEngine consumer = rig.engine("session=60000&key.max-entries=100");
            CategoryKey big = consumer.keyspace().key("com.foo.Big", "providers");
            CategoryKey small = providers(consumer);
            String future = Long.toString(rig.store.serverNow() + 60_000);
            for (int i = 0; i < 2500; i++) {
                rig.store.writeFieldRaw(big.redisKey(), "dubbo://10.0.1." + i + ":1/com.foo.Big?interface=com.foo.Big", future);
            }
            rig.store.writeFieldRaw(small.redisKey(), P1, future);
            MemoryRig.Heard heard = new MemoryRig.Heard();
            rig.await(consumer.subscriptions().start(Watch.of(List.of(big, small), heard)));

            assertThat(heard.fields(small)).containsExactly(P1);
            assertThat(heard.fields(big)).isNull();
            long pages = rig.store.pagesRead();
            for (int i = 0; i < 5; i++) {
                rig.store.publishRaw(big.redisKey(), "register");
                rig.settle();
            }
            assertThat(rig.count("too large " + big.redisKey() + " 2500 100")).isEqualTo(1);
            assertThat(rig.store.pagesRead() - pages).as("one page per read: the rest is never read").isEqualTo(5);
        }
    }

    @Test
    void anAdminKeepsNoStateForKeysThatDoNotExistAndReadsNewOnesBoundedly() {
        try (MemoryRig rig = new MemoryRig()) {
            RegistryEngine admin = rig.engine("session=60000");
            MemoryRig.Heard heard = new MemoryRig.Heard();
            rig.await(admin.subscriptions().start(Watch.everything(heard)));
            for (int i = 0; i < 5000; i++) {
                rig.store.publishRaw("/dubbo/junk" + i + "/providers", "register");
                rig.store.publishRaw("/dubbo/not a key " + i, "register");
            }
            rig.settle();
            assertThat(admin.subscriptions().watchedKeyCount()).as("state kept for keys that do not exist").isZero();
            assertThat(rig.store.reads()).as("new keys read at once, at most").isLessThanOrEqualTo(1000 + 1);
            assertThat(rig.count("malformed key")).as("junk names reported, bounded").isLessThanOrEqualTo(10);
        }
    }
}
