package io.github.dubboredis.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.github.dubboredis.internal.configcenter.ConfigCenter;
import io.github.dubboredis.internal.configcenter.ConfigCenterObserver;
import io.github.dubboredis.internal.configcenter.ConfigChange;
import io.github.dubboredis.internal.configcenter.ConfigListener;
import io.github.dubboredis.internal.configcenter.StoredConfig;
import io.github.dubboredis.testkit.memory.InMemoryRegistryStore;
import io.github.dubboredis.testkit.memory.ManualScheduler;

/**
 * How the configuration centre keeps listened entries current, decided on the in-memory store with a virtual
 * clock: which events a listener hears (and never twice), after lost messages, reconnects and data loss, and
 * what garbage costs. Every order of events is fixed by the test.
 */
class ConfigWatchTest {

    private static final long RESYNC = 30_000;
    private static final String RULE = "demo-provider.tag-router";
    private static final String RULE_2 = "org.foo.DemoService::.condition-router";

    private final ManualScheduler scheduler = new ManualScheduler();
    private final InMemoryRegistryStore store = new InMemoryRegistryStore(scheduler);
    private final List<String> log = new CopyOnWriteArrayList<>();
    private final List<ConfigCenter> centres = new ArrayList<>();

    /** An application's centre (its listeners run at once, on the test's thread). */
    private ConfigCenter centre() {
        ConfigCenter c = new ConfigCenter(store, "dubbo", RESYNC, observer(), Runnable::run);
        centres.add(c);
        return c;
    }

    private ConfigCenterObserver observer() {
        return new ConfigCenterObserver() {
            @Override
            public void malformedKey(String redisKey, String reason) {
                log.add("malformed " + redisKey);
            }

            @Override
            public void contentTooLarge(String redisKey, String key, long size, long limit) {
                log.add("too large " + key + " " + size);
            }

            @Override
            public void dataLost(String redisKey, int held, List<String> examples) {
                log.add("data lost " + held + " " + examples);
            }

            @Override
            public void listenerFailed(String group, String key, Throwable failure) {
                log.add("listener failed " + key);
            }
        };
    }

    /** Records what a listener heard. */
    private static final class Heard implements ConfigListener {
        final List<ConfigChange> changes = new CopyOnWriteArrayList<>();

        @Override
        public void onChange(ConfigChange change) {
            changes.add(change);
        }

        List<String> said() {
            return changes.stream().map(c -> c.type() + " " + c.content()).toList();
        }
    }

    private <T> T await(CompletableFuture<T> f) {
        scheduler.runUntilIdle();
        assertThat(f).as("done after running everything queued").isDone();
        return f.join();
    }

    private void settle() {
        scheduler.runUntilIdle();
    }

    private String hashKey() {
        return centres.get(0).keyspace().hashKey("dubbo");
    }

    @AfterEach
    void close() {
        centres.forEach(ConfigCenter::close);
        settle();
    }

    @Test
    void aListenerHearsEachLaterChangeOnceAndNothingAtFirst() {
        ConfigCenter admin = centre();
        ConfigCenter app = centre();
        await(admin.put("dubbo", RULE, "v1"));
        Heard heard = new Heard();
        await(app.listen("dubbo", RULE, heard));
        assertThat(heard.said()).as("adding a listener tells nothing").isEmpty();

        await(admin.put("dubbo", RULE, "v2"));
        await(admin.put("dubbo", RULE, "v2")); // the same content again: not a change
        await(admin.remove("dubbo", RULE));
        await(admin.put("dubbo", RULE, "v3"));
        settle();

        assertThat(heard.said()).containsExactly("MODIFIED v2", "DELETED null", "ADDED v3");
        assertThat(heard.changes).allSatisfy(c -> assertThat(c.key() + "@" + c.group()).isEqualTo(RULE + "@dubbo"));
    }

    @Test
    void reReadsAfterReconnectsAndAntiEntropyNeverRepeatAnEvent() {
        ConfigCenter admin = centre();
        ConfigCenter app = centre();
        Heard heard = new Heard();
        await(app.listen("dubbo", RULE, heard));
        await(admin.put("dubbo", RULE, "v1"));
        settle();
        long reads = store.configReads();

        scheduler.advance(RESYNC * 3);
        store.goDown();
        store.comeBack();
        settle();

        assertThat(heard.said()).containsExactly("ADDED v1");
        assertThat(store.configReads() - reads).as("three passes and a reconnect, one read each").isEqualTo(4);
    }

    @Test
    void aRuleWrittenWhileTheConsumerWasCutOffReachesItWhenTheLinkHeals() {
        ConfigCenter app = centre();
        Heard heard = new Heard();
        await(app.listen("dubbo", RULE, heard));
        String hash = hashKey();

        store.goDown();
        settle();
        store.writeFieldRaw(hash, RULE, "written meanwhile"); // the announcement went nowhere
        store.comeBack();
        settle();

        assertThat(heard.said()).containsExactly("ADDED written meanwhile");
    }

    @Test
    void aRemovalMissedWhileCutOffIsHeardAfterTheReconnectWhenRedisKeptItsData() {
        ConfigCenter admin = centre();
        ConfigCenter app = centre();
        await(admin.put("dubbo", RULE, "v1"));
        Heard heard = new Heard();
        await(app.listen("dubbo", RULE, heard));

        store.goDown();
        settle();
        store.putRaw(hashKey(), new java.util.LinkedHashMap<String, String>()); // removed; the announcement went nowhere
        store.comeBack();
        settle();

        assertThat(heard.said()).containsExactly("DELETED null");
    }

    @Test
    void rulesThatVanishWithADataLossAreHeldUntilTheirKeysAreWrittenOrRemovedAgain() {
        ConfigCenter admin = centre();
        ConfigCenter app = centre();
        await(admin.put("dubbo", RULE, "tag rule"));
        await(admin.put("dubbo", RULE_2, "condition rule"));
        Heard tag = new Heard();
        Heard condition = new Heard();
        await(app.listen("dubbo", RULE, tag));
        await(app.listen("dubbo", RULE_2, condition));

        store.loseAllData(); // Redis restarted empty: nothing announces it
        store.goDown();
        store.comeBack();
        settle();
        scheduler.advance(RESYNC * 5);

        assertThat(tag.said()).as("nobody is told a rule is gone").isEmpty();
        assertThat(condition.said()).isEmpty();
        assertThat(log).containsOnlyOnce("data lost 2 [" + RULE + ", " + RULE_2 + "]");
        assertThat(await(app.get("dubbo", RULE))).as("what the application reads agrees with what it applies")
                .isEqualTo("tag rule");
        assertThat(await(admin.get("dubbo", RULE))).as("an application that held nothing reads Redis").isNull();
        assertThat(await(app.getWithTicket("dubbo", RULE)).content()).as("compare-and-set sees Redis").isNull();

        await(admin.put("dubbo", RULE, "tag rule, published again"));
        await(admin.remove("dubbo", RULE_2)); // the operator no longer wants it: removals always announce
        settle();
        assertThat(tag.said()).containsExactly("MODIFIED tag rule, published again");
        assertThat(condition.said()).containsExactly("DELETED null");

        await(admin.remove("dubbo", RULE)); // after the hold, a removal is a removal
        settle();
        assertThat(tag.said()).endsWith("DELETED null");
    }

    @Test
    void aLossRightAfterTheFirstReadBeforeTheMarkerWasWrittenTakesNothingAwayEither() {
        ConfigCenter admin = centre();
        ConfigCenter app = centre();
        await(admin.put("dubbo", RULE, "tag rule"));
        Heard heard = new Heard();
        store.holdReplies();
        CompletableFuture<Void> listening = app.listen("dubbo", RULE, heard);
        settle();
        store.releaseReplies(); // the subscription
        store.holdReplies();
        settle(); // the first read is in flight
        store.goDown(); // so the marker it finds missing cannot be written
        store.releaseReplies();
        settle();
        assertThat(listening).isDone();

        store.loseAllData();
        store.comeBack();
        settle();
        scheduler.advance(RESYNC);

        assertThat(heard.said()).isEmpty();
        assertThat(log).containsExactly("data lost 1 [" + RULE + "]");
    }

    @Test
    void aRemovalAnnouncedWhileTheLossIsDiscoveredIsNotHeld() {
        ConfigCenter admin = centre();
        ConfigCenter app = centre();
        await(admin.put("dubbo", RULE, "tag rule"));
        await(admin.put("dubbo", RULE_2, "condition rule"));
        Heard tag = new Heard();
        Heard condition = new Heard();
        await(app.listen("dubbo", RULE, tag));
        await(app.listen("dubbo", RULE_2, condition));

        store.loseAllData();
        await(admin.remove("dubbo", RULE)); // the read it causes is the first to see the loss
        settle();

        assertThat(tag.said()).containsExactly("DELETED null");
        assertThat(condition.said()).isEmpty();
        assertThat(log).containsExactly("data lost 1 [" + RULE_2 + "]");
    }

    @Test
    void rulesRestoredWithoutAnnouncementAfterALossAreKeptQuietlyAndReleaseTheHold() {
        ConfigCenter admin = centre();
        ConfigCenter app = centre();
        await(admin.put("dubbo", RULE, "tag rule"));
        Heard heard = new Heard();
        await(app.listen("dubbo", RULE, heard));

        store.loseAllData();
        scheduler.advance(RESYNC);
        store.writeFieldRaw(hashKey(), RULE, "tag rule"); // a backup loaded: same content, no announcement
        scheduler.advance(RESYNC);
        store.putRaw(hashKey(), new java.util.LinkedHashMap<String, String>()); // gone again, without a loss
        scheduler.advance(RESYNC);

        assertThat(heard.said()).as("the restored rule released the hold; its later removal is a removal")
                .containsExactly("DELETED null");
    }

    @Test
    void whatTheFirstReadCouldNotSeeIsToldWhenRedisComesBack() {
        ConfigCenter app = centre();
        store.goDown();
        Heard heard = new Heard();
        CompletableFuture<Void> listening = app.listen("dubbo", RULE, heard);
        settle();
        assertThat(listening).as("listening does not wait for Redis").isDone();

        store.writeFieldRaw(hashKey(), RULE, "v1");
        store.comeBack();
        settle();

        assertThat(heard.said()).as("the caller's own read may have failed too").containsExactly("ADDED v1");
    }

    @Test
    void listenersAreCountedPerKeyAndTheGroupChannelIsGivenBackWithTheLast() {
        ConfigCenter admin = centre();
        ConfigCenter app = centre();
        Heard first = new Heard();
        Heard second = new Heard();
        String channel = app.keyspace().channel("dubbo");
        await(app.listen("dubbo", RULE, first));
        await(app.listen("dubbo", RULE, first)); // the same listener twice: heard once
        await(app.listen("dubbo", RULE, second));
        await(app.listen("dubbo", RULE_2, second));
        assertThat(store.subscribedChannels()).containsEntry(channel, 1);

        await(admin.put("dubbo", RULE, "v1"));
        settle();
        assertThat(first.said()).containsExactly("ADDED v1");

        await(app.stopListening("dubbo", RULE, first));
        await(admin.put("dubbo", RULE, "v2"));
        settle();
        assertThat(first.said()).containsExactly("ADDED v1");
        assertThat(second.said()).containsExactly("ADDED v1", "MODIFIED v2");

        await(app.stopListening("dubbo", RULE, second));
        assertThat(store.subscribedChannels()).containsKey(channel);
        await(app.stopListening("dubbo", RULE_2, second));
        assertThat(store.subscribedChannels()).doesNotContainKey(channel);
        assertThat(await(app.listenedEntries())).isZero();
    }

    @Test
    void otherKeysAndOtherGroupsAreNotHeard() {
        ConfigCenter admin = centre();
        ConfigCenter app = centre();
        Heard heard = new Heard();
        await(app.listen("dubbo", RULE, heard));
        long reads = store.configReads();

        await(admin.put("dubbo", "demo-provider", "the application's name alone"));
        await(admin.put("other-group", RULE, "same key, another group"));
        await(admin.put("dubbo", RULE + ".suffix", "a longer key"));
        settle();

        assertThat(heard.said()).isEmpty();
        assertThat(store.configReads()).as("announcements of other keys are not even read").isEqualTo(reads);
    }

    @Test
    void aBurstOfAnnouncementsIsFoldedIntoFewReads() {
        ConfigCenter app = centre();
        Heard heard = new Heard();
        await(app.listen("dubbo", RULE, heard));
        long reads = store.configReads();
        String channel = app.keyspace().channel("dubbo");

        for (int i = 0; i < 200; i++) {
            store.writeFieldRaw(hashKey(), RULE, "v" + i);
            store.publishRaw(channel, RULE);
        }
        settle();

        assertThat(heard.said()).containsExactly("ADDED v199");
        assertThat(store.configReads() - reads).isLessThanOrEqualTo(2);
    }

    @Test
    void garbageUnderTheCentresKeysIsSkippedAndReportedOnceWhileListenersKeepTheirRules() {
        ConfigCenter admin = centre();
        ConfigCenter app = centre();
        await(admin.put("dubbo", RULE, "tag rule"));
        await(admin.put("dubbo", RULE_2, "condition rule"));
        Heard heard = new Heard();
        await(app.listen("dubbo", RULE, heard));
        await(app.listen("dubbo", RULE_2, heard));

        store.writeFieldRaw(hashKey(), RULE_2, "x".repeat((int) ConfigCenter.MAX_CONTENT_BYTES + 1));
        store.publishRaw(app.keyspace().channel("dubbo"), "junk \u001b[2J not a key");
        scheduler.advance(RESYNC * 3);
        assertThat(log).containsExactly("too large " + RULE_2 + " " + (ConfigCenter.MAX_CONTENT_BYTES + 1));

        store.putRaw(hashKey(), "a string where the group's hash was");
        scheduler.advance(RESYNC * 3);
        assertThat(log).containsOnlyOnce("malformed " + hashKey());
        assertThat(heard.said()).as("nothing was taken away").isEmpty();
        assertThatThrownBy(() -> admin.get("dubbo", RULE).join()).hasMessageContaining("is not a hash");
    }

    @Test
    void oneListenerThatThrowsDoesNotKeepTheChangeFromTheOthers() {
        ConfigCenter admin = centre();
        ConfigCenter app = centre();
        Heard heard = new Heard();
        await(app.listen("dubbo", RULE, change -> {
            throw new IllegalStateException("broken listener");
        }));
        await(app.listen("dubbo", RULE, heard));

        await(admin.put("dubbo", RULE, "v1"));
        settle();

        assertThat(heard.said()).containsExactly("ADDED v1");
        assertThat(log).containsExactly("listener failed " + RULE);
    }

    @Test
    void contentMustBeTextOfAtMostOneMebibyteAndKeysAndGroupsUsable() {
        ConfigCenter admin = centre();
        assertThatThrownBy(() -> admin.put("dubbo", RULE, "  ")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is empty").hasMessageContaining("config rm");
        assertThatThrownBy(() -> admin.put("dubbo", RULE, "\u00e9".repeat(600_000))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("1200000 bytes").hasMessageContaining("at most 1048576");
        assertThatThrownBy(() -> admin.put("a{b}", RULE, "x")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'{'");
        assertThatThrownBy(() -> admin.put("dubbo", "line\nbreak", "x")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("control character");
        assertThat(await(admin.put("dubbo", RULE, "x".repeat((int) ConfigCenter.MAX_CONTENT_BYTES)))).isTrue();
    }

    @Test
    void compareAndSetTakesTheTicketOfWhatWasReadAndANullTicketOnlyCreates() {
        ConfigCenter admin = centre();
        StoredConfig absent = await(admin.getWithTicket("dubbo", RULE));
        assertThat(absent).isEqualTo(new StoredConfig(null, null));

        assertThat(await(admin.putIfUnchanged("dubbo", RULE, "v1", absent.ticket()))).isTrue();
        assertThat(await(admin.putIfUnchanged("dubbo", RULE, "v1 again", null))).as("null: only if there is none").isFalse();
        StoredConfig v1 = await(admin.getWithTicket("dubbo", RULE));
        assertThat(v1.content()).isEqualTo("v1");
        assertThat(await(admin.putIfUnchanged("dubbo", RULE, "v2", v1.ticket()))).isTrue();
        assertThat(await(admin.putIfUnchanged("dubbo", RULE, "v3", v1.ticket()))).as("a stale ticket").isFalse();
        assertThat(await(admin.get("dubbo", RULE))).isEqualTo("v2");
        assertThat(await(admin.putIfUnchanged("dubbo", RULE, "v3", ""))).as("empty as null").isFalse();
    }
}
