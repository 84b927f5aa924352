package io.github.dubboredis.dubbo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.dubbo.common.config.configcenter.ConfigChangeType;
import org.apache.dubbo.common.config.configcenter.ConfigChangedEvent;
import org.apache.dubbo.common.config.configcenter.ConfigItem;
import org.apache.dubbo.common.config.configcenter.DynamicConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.github.dubboredis.support.ConfigCentres;
import io.github.dubboredis.support.ConfigCentres.Events;
import io.github.dubboredis.support.LogCapture;
import io.github.dubboredis.testkit.RedisPerClass;
import io.github.dubboredis.testkit.RedisServer;
import io.github.dubboredis.testkit.RespClient;
import io.github.dubboredis.testkit.TcpProxy;

/**
 * The configuration centre's contract on real Redis, through Dubbo's SPI, mirroring the tests of Dubbo's
 * ZooKeeper and Nacos centres ({@code ZookeeperDynamicConfigurationTest}, {@code NacosDynamicConfigurationTest},
 * {@code FileSystemDynamicConfigurationTest}), and what they do not test: concurrent writers, a consumer cut off,
 * Redis restarted empty, garbage.
 */
class RedisDynamicConfigurationTest {

    @RegisterExtension
    static final RedisPerClass redis = new RedisPerClass();

    private static final String HASH = "dubbo-redis:{config:dubbo:dubbo}";

    @Test
    void getConfigReadsEachGroupAndKeyAndNullForWhatIsNotThere() {
        try (ConfigCentres centres = new ConfigCentres(); RespClient raw = redis.client()) {
            // Written as any tool would, in the documented layout.
            raw.call("HSET", HASH, "dubbo.properties", "dubbo.registry.address=redis://127.0.0.1:6379");
            raw.call("HSET", "dubbo-redis:{config:dubbo:test}", "dubbo.properties", "in group test",
                    "org.apache.dubbo.demo.DemoService:1.0.0.test:xxxx.configurators", "a colon key");
            DynamicConfiguration config = centres.create(redis.address(), "");

            assertThat(config.getConfig("dubbo.properties", "dubbo")).isEqualTo("dubbo.registry.address=redis://127.0.0.1:6379");
            assertThat(config.getProperties("dubbo.properties", "test")).isEqualTo("in group test");
            assertThat(config.getConfig("org.apache.dubbo.demo.DemoService:1.0.0.test:xxxx.configurators", "test"))
                    .isEqualTo("a colon key");
            assertThat(config.getConfig("dubbo.properties", null)).as("no group: the default group").startsWith("dubbo.registry.address");
            assertThat(config.getConfig("nothing.here", "dubbo")).isNull();
            assertThat(config.getConfig("dubbo.properties", "no-such-group")).isNull();
            assertThat(config.getDefaultGroup()).isEqualTo("dubbo");
            assertThat(config.getDefaultTimeout()).isEqualTo(-1L);
            assertThat(config.getInternalProperty("dubbo.properties")).asString().startsWith("dubbo.registry.address");
        }
    }

    @Test
    void eachListenerHearsOneEventPerWriteOfItsOwnKeyWithTheKeyAndGroupItListenedTo() throws Exception {
        try (ConfigCentres centres = new ConfigCentres()) {
            DynamicConfiguration admin = centres.create(redis.address(), "");
            DynamicConfiguration app = centres.create(redis.address(), "");
            String configurators = "org.foo.Listened:1.0.0:g1.configurators";
            String tagRouter = "listened-app.tag-router";
            CountDownLatch four = new CountDownLatch(4);
            List<Events> all = new ArrayList<>();
            for (String key : List.of(configurators, configurators, tagRouter, tagRouter)) {
                Events events = new Events() {
                    @Override
                    public void process(ConfigChangedEvent event) {
                        super.process(event);
                        four.countDown();
                    }
                };
                all.add(events);
                app.addListener(key, "dubbo", events);
            }

            admin.publishConfig(configurators, "dubbo", "new value1");
            admin.publishConfig(tagRouter, "dubbo", "new value2");
            admin.publishConfig("listened-app", "dubbo", "the application's own key"); // no listener's key

            assertThat(four.await(5, TimeUnit.SECONDS)).isTrue();
            Thread.sleep(300); // anything more would have come by now
            for (int i = 0; i < 4; i++) {
                String key = i < 2 ? configurators : tagRouter;
                assertThat(all.get(i).all()).singleElement().isEqualTo(
                        new ConfigChangedEvent(key, "dubbo", i < 2 ? "new value1" : "new value2", ConfigChangeType.ADDED));
            }
        }
    }

    @Test
    void publishedConfigIsReadBackListenersHearEveryChangeInTheirGroupAndTheRemoval() throws Exception {
        try (ConfigCentres centres = new ConfigCentres()) {
            DynamicConfiguration admin = centres.create(redis.address(), "");
            DynamicConfiguration app = centres.create(redis.address(), "");
            Events inDubbo = new Events();
            Events inOther = new Events();
            app.addListener("published.key", "dubbo", inDubbo);
            app.addListener("published.key", "other", inOther);

            // Each change is awaited before the next: a burst of writes may be heard as its last state only.
            assertThat(admin.publishConfig("published.key", "dubbo", "test")).isTrue();
            assertThat(admin.publishConfig("published.key", "dubbo", "test")).as("idempotent").isTrue();
            assertThat(app.getProperties("published.key", "dubbo")).isEqualTo("test");
            await().atMost(Duration.ofSeconds(5)).until(() -> inDubbo.count() == 1);
            assertThat(admin.publishConfig("published.key", "other", "in the other group")).isTrue();
            assertThat(admin.publishConfig("published.key", "dubbo", "test 2")).isTrue();
            await().atMost(Duration.ofSeconds(5)).until(() -> inDubbo.count() == 2);
            assertThat(admin.removeConfig("published.key", "dubbo")).isTrue();
            assertThat(admin.removeConfig("published.key", "dubbo")).as("removing what is not there").isTrue();

            await().atMost(Duration.ofSeconds(5)).until(() -> inDubbo.count() == 3 && inOther.count() == 1);
            Thread.sleep(200); // nothing more comes
            assertThat(inDubbo.said()).containsExactly("ADDED test", "MODIFIED test 2", "DELETED null");
            assertThat(inOther.said()).containsExactly("ADDED in the other group");
            assertThat(app.getConfig("published.key", "dubbo")).isNull();
            assertThat(((RedisDynamicConfiguration) app).getConfigKeys("other")).containsExactly("published.key");

            app.removeListener("published.key", "other", inOther);
            admin.publishConfig("published.key", "other", "after the listener was removed");
            admin.publishConfig("published.key", "dubbo", "heard");
            await().atMost(Duration.ofSeconds(5)).until(() -> inDubbo.count() == 4);
            assertThat(inOther.count()).isEqualTo(1);
        }
    }

    @Test
    void compareAndSetAsZooKeepersTestExpectsIt() {
        try (ConfigCentres centres = new ConfigCentres()) {
            DynamicConfiguration config = centres.create(redis.address(), "");
            String key = "org.apache.dubbo.demo.DemoService.cas";
            ConfigItem absent = config.getConfigItem(key, "dubbo");
            assertThat(absent.getContent()).isNull();
            assertThat(absent.getTicket()).isNull();
            assertThat(config.publishConfigCas(key, "dubbo", "test", absent.getTicket())).isTrue();

            ConfigItem current = config.getConfigItem(key, "dubbo");
            assertThat(current.getContent()).isEqualTo("test");
            assertThat(config.publishConfigCas(key, "dubbo", "newtest", current.getTicket())).isTrue();
            assertThat(config.publishConfigCas(key, "dubbo", "newtest2", current.getTicket())).as("stale ticket").isFalse();
            assertThat(config.publishConfigCas(key, "dubbo", "again", null)).as("null ticket: only if absent").isFalse();
            assertThat(config.publishConfigCas(key, "dubbo", "again", new Object())).as("not our ticket").isFalse();
            assertThat(config.getConfig(key, "dubbo")).isEqualTo("newtest");
        }
    }

    /** Sixteen writers in four applications append their marks with read, compare-and-set, retry: none is lost. */
    @Test
    void concurrentCompareAndSetWritersLoseNoUpdate() throws Exception {
        int applications = 4;
        int threadsEach = 4;
        int writesEach = 40;
        String key = "cas.counter";
        try (ConfigCentres centres = new ConfigCentres()) {
            List<DynamicConfiguration> apps = new ArrayList<>();
            for (int i = 0; i < applications; i++) {
                apps.add(centres.create(redis.address(), ""));
            }
            ExecutorService pool = Executors.newFixedThreadPool(applications * threadsEach);
            AtomicInteger conflicts = new AtomicInteger();
            List<Future<?>> writers = new ArrayList<>();
            CountDownLatch start = new CountDownLatch(1);
            for (int a = 0; a < applications; a++) {
                for (int t = 0; t < threadsEach; t++) {
                    DynamicConfiguration config = apps.get(a);
                    String writer = "w" + a + "." + t;
                    writers.add(pool.submit(() -> {
                        start.await();
                        for (int n = 0; n < writesEach; n++) {
                            while (true) {
                                ConfigItem item = config.getConfigItem(key, "dubbo");
                                String next = (item.getContent() == null ? "" : item.getContent()) + writer + "#" + n + ";";
                                if (config.publishConfigCas(key, "dubbo", next, item.getTicket())) {
                                    break;
                                }
                                conflicts.incrementAndGet();
                            }
                        }
                        return null;
                    }));
                }
            }
            long started = System.nanoTime();
            start.countDown();
            for (Future<?> w : writers) {
                w.get(120, TimeUnit.SECONDS);
            }
            pool.shutdown();
            String content = apps.get(0).getConfig(key, "dubbo");
            List<String> marks = List.of(content.split(";"));
            System.out.printf("%d compare-and-set writes by %d writers in %d ms, %d conflicts retried%n",
                    marks.size(), applications * threadsEach, (System.nanoTime() - started) / 1_000_000, conflicts.get());
            assertThat(marks).hasSize(applications * threadsEach * writesEach).doesNotHaveDuplicates();
            assertThat(conflicts.get()).as("the writers did race").isPositive();
        }
    }

    @Test
    void aRulePublishedWhileAConsumerWasCutOffReachesItWhenTheLinkHeals() {
        try (ConfigCentres centres = new ConfigCentres(); TcpProxy proxy = new TcpProxy("127.0.0.1", redis.server().port())) {
            DynamicConfiguration admin = centres.create(redis.address(), "");
            DynamicConfiguration consumer = centres.create(proxy.address(),
                    "reconnect.period=200&connect.timeout=500&timeout=1000&resync.period=60000");
            Events events = new Events();
            consumer.addListener("cut.off.rule", "dubbo", events);

            proxy.cut();
            admin.publishConfig("cut.off.rule", "dubbo", "published while cut off");
            await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> events.count() == 0);
            long healed = System.nanoTime();
            proxy.heal();

            await().atMost(Duration.ofSeconds(10)).until(() -> events.count() == 1);
            System.out.printf("a rule published while cut off was heard %d ms after the link healed%n",
                    (System.nanoTime() - healed) / 1_000_000);
            assertThat(events.said()).containsExactly("ADDED published while cut off");
        }
    }

    @Test
    void redisRestartedEmptyTakesNoRuleAwayUntilItIsPublishedOrRemovedAgain() {
        try (RedisServer own = RedisServer.startDefault(); ConfigCentres centres = new ConfigCentres(); LogCapture log = new LogCapture()) {
            String fast = "reconnect.period=200&resync.period=300";
            DynamicConfiguration admin = centres.create(own.address(), fast);
            DynamicConfiguration consumer = centres.create(own.address(), fast);
            admin.publishConfig("kept.condition-router", "dubbo", "condition rule");
            admin.publishConfig("kept.tag-router", "dubbo", "tag rule");
            Events condition = new Events();
            Events tag = new Events();
            consumer.addListener("kept.condition-router", "dubbo", condition);
            consumer.addListener("kept.tag-router", "dubbo", tag);

            own.restartEmpty();
            await().atMost(Duration.ofSeconds(10)).until(() -> log.count("lost the data of") == 1);
            await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> condition.count() + tag.count() == 0);
            assertThat(log.lines()).filteredOn(l -> l.contains("lost the data of")).singleElement().asString()
                    .contains("keeps the 2 rule(s)").contains("kept.condition-router").contains("config put");

            admin.publishConfig("kept.tag-router", "dubbo", "tag rule, published again");
            admin.removeConfig("kept.condition-router", "dubbo");
            await().atMost(Duration.ofSeconds(5)).until(() -> condition.count() == 1 && tag.count() == 1);
            assertThat(condition.said()).containsExactly("DELETED null");
            assertThat(tag.said()).containsExactly("MODIFIED tag rule, published again");
        }
    }

    @Test
    void garbageUnderTheCentresKeysIsReportedOnceAndTakesNothingAway() throws Exception {
        try (ConfigCentres centres = new ConfigCentres(); LogCapture log = new LogCapture(); RespClient raw = redis.client()) {
            String group = "garbage";
            String hash = "dubbo-redis:{config:dubbo:garbage}";
            DynamicConfiguration admin = centres.create(redis.address(), "");
            DynamicConfiguration consumer = centres.create(redis.address(), "resync.period=200");
            admin.publishConfig("big.rule", group, "small enough");
            Events events = new Events();
            consumer.addListener("big.rule", group, events);

            raw.call("HSET", hash, "big.rule", "x".repeat(1024 * 1024 + 1)); // written by another tool
            raw.call("PUBLISH", hash + ":changes", "big.rule\u001b[2J");
            Thread.sleep(1000);
            assertThat(log.count("is 1048577 bytes, more than 1048576: not read")).isEqualTo(1);
            assertThat(admin.getConfig("big.rule", group)).as("getConfig logs and returns null, as Dubbo's base class does")
                    .isNull();

            raw.call("DEL", hash);
            raw.call("SET", hash, "\u001b]0;a string where the hash was\u0007");
            Thread.sleep(1000);
            assertThat(log.count("is a string, not a hash")).isEqualTo(1);
            assertThat(events.count()).isZero();
            assertThat(log.lines()).noneMatch(l -> l.contains("\u001b"));
            assertThatThrownBy(() -> admin.publishConfig("big.rule", group, "x")).hasMessageContaining("is not a hash");
            raw.call("DEL", hash);
        }
    }

    @Test
    void contentMustNotBeEmptyNorOverOneMebibyte() {
        try (ConfigCentres centres = new ConfigCentres()) {
            DynamicConfiguration config = centres.create(redis.address(), "");
            assertThatThrownBy(() -> config.publishConfig("too.big", "dubbo", "x".repeat(1024 * 1024 + 1)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most 1048576");
            assertThatThrownBy(() -> config.publishConfig("empty", "dubbo", ""))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("to remove a configuration");
            assertThat(config.getConfig("too.big", "dubbo")).isNull();
        }
    }

    @Test
    void theCentreSharesTheApplicationsConnectionsWithItsRegistry() {
        try (io.github.dubboredis.support.Registries registries = new io.github.dubboredis.support.Registries();
                ConfigCentres centres = new ConfigCentres(); RespClient raw = redis.client()) {
            RedisRegistry registry = registries.create(redis.address(), "");
            int before = ourConnections(raw);
            RedisDynamicConfiguration config = centres.createIn(
                    (org.apache.dubbo.rpc.model.ApplicationModel) registry.getUrl().getScopeModel(), redis.address(), "");
            config.addListener("shared.rule", "dubbo", new Events());
            assertThat(ourConnections(raw)).as("Dubbo's timeout=30000 on the centre's URL is not a command timeout")
                    .isEqualTo(before).isEqualTo(2);
        }
    }

    @Test
    void aThousandListenedKeysShareOneChannelAndAChangeReachesOnlyItsListener() {
        try (ConfigCentres centres = new ConfigCentres(); RespClient raw = redis.client()) {
            DynamicConfiguration admin = centres.create(redis.address(), "");
            RedisDynamicConfiguration app = centres.create(redis.address(), "");
            List<Events> listeners = new ArrayList<>();
            long started = System.nanoTime();
            for (int i = 0; i < 1000; i++) {
                Events e = new Events();
                listeners.add(e);
                app.addListener("org.foo.Service" + i + "::.configurators", "many", e);
            }
            long tookMillis = (System.nanoTime() - started) / 1_000_000;
            long resyncStarted = System.nanoTime();
            app.centre().resync();
            assertThat(app.centre().listenedEntries().join()).isEqualTo(1000);
            admin.publishConfig("org.foo.Service500::.configurators", "many", "changed");
            await().atMost(Duration.ofSeconds(5)).until(() -> listeners.get(500).count() == 1);
            System.out.printf("1000 keys listened to in %d ms (each addListener waits for the key's first read); a change "
                    + "heard %d ms after a re-read of all%n", tookMillis, (System.nanoTime() - resyncStarted) / 1_000_000);
            assertThat(listeners).filteredOn(e -> e.count() > 0).hasSize(1);
            assertThat(raw.call("PUBSUB", "NUMSUB", "dubbo-redis:{config:dubbo:many}:changes")).asString().contains(", 1]");
        }
    }

    @Test
    void aNamespaceThatCannotBeAKeyStopsStartUpEvenWithoutCheck() {
        try (ConfigCentres centres = new ConfigCentres()) {
            assertThatThrownBy(() -> centres.create(redis.address(), "namespace=a{b&check=false"))
                    .isInstanceOf(InvalidRegistryConfigurationError.class).hasMessageContaining("namespace 'a{b' contains '{'");
        }
    }

    private static int ourConnections(RespClient raw) {
        int n = 0;
        for (String line : raw.string("CLIENT", "LIST").split("\n")) {
            if (line.contains("name=dubbo-redis-registry")) {
                n++;
            }
        }
        return n;
    }

    @Test
    void closingStopsTheListenersAndGivesTheChannelBack() throws Exception {
        try (ConfigCentres centres = new ConfigCentres(); RespClient raw = redis.client()) {
            DynamicConfiguration admin = centres.create(redis.address(), "");
            DynamicConfiguration app = centres.create(redis.address(), "");
            Events events = new Events();
            app.addListener("closing.rule", "closing", events);
            String channel = "dubbo-redis:{config:dubbo:closing}:changes";
            assertThat(raw.call("PUBSUB", "NUMSUB", channel)).asString().contains(", 1]");

            app.close();
            app.close(); // idempotent
            admin.publishConfig("closing.rule", "closing", "after close");
            Thread.sleep(300);
            assertThat(events.count()).isZero();
            await().atMost(Duration.ofSeconds(2)).until(() -> String.valueOf(raw.call("PUBSUB", "NUMSUB", channel)).contains(", 0"));
        }
    }
}
