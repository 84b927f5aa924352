package io.github.dubboredis.dubbo;

import static io.github.dubboredis.support.Registries.url;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.apache.dubbo.common.URL;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.github.dubboredis.support.Notifications;
import io.github.dubboredis.support.Registries;
import io.github.dubboredis.testkit.RedisPerClass;
import io.github.dubboredis.testkit.RespClient;
import io.github.dubboredis.testkit.TcpProxy;

/** Subscribe, unsubscribe and lookup behave as with Dubbo's own registries. */
class SubscriptionSemanticsTest {

    @RegisterExtension
    static final RedisPerClass redis = new RedisPerClass();

    private static URL consumer(RedisRegistry r, String service, String extra) {
        return url(r, "consumer://10.0.0.2/" + service + "?interface=" + service
                + "&category=providers,configurators,routers" + extra);
    }

    private static URL provider(RedisRegistry r, String service, String host, String extra) {
        return url(r, "dubbo://" + host + ":20880/" + service + "?interface=" + service + "&side=provider" + extra);
    }

    @Test
    void anEmptyCategoryIsNotifiedAsEmptyUrl() {
        try (Registries registries = new Registries()) {
            RedisRegistry registry = registries.create(redis.address(), "");
            Notifications heard = new Notifications();
            registry.subscribe(consumer(registry, "com.foo.Empty", ""), heard);
            assertThat(heard.count()).isEqualTo(3);
            assertThat(heard.all()).allSatisfy(urls -> {
                assertThat(urls).hasSize(1);
                assertThat(urls.get(0).getProtocol()).isEqualTo("empty");
            });
            assertThat(heard.all()).extracting(urls -> urls.get(0).getCategory())
                    .containsExactlyInAnyOrder("providers", "configurators", "routers");
        }
    }

    /**
     * Two references to one interface (say versions 1.0 and 2.0) share its keys. One is created while the
     * other is destroyed, during the new one's first read (slowed down by a proxy): the new one must
     * still be subscribed afterwards.
     */
    @Test
    void aSubscriptionStartedWhileAnotherOnTheSameKeysStopsStaysSubscribed() throws Exception {
        try (TcpProxy proxy = new TcpProxy("127.0.0.1", redis.server().port()); Registries registries = new Registries()) {
            RedisRegistry providerSide = registries.create(redis.address(), "");
            RedisRegistry consumerSide = registries.create(proxy.address(), "");
            URL old = consumer(consumerSide, "com.foo.Shared", "&version=1.0");
            Notifications oldHeard = new Notifications();
            consumerSide.subscribe(old, oldHeard);

            proxy.delay(300);
            Notifications newHeard = new Notifications();
            CompletableFuture<Void> subscribing = CompletableFuture.runAsync(
                    () -> consumerSide.subscribe(consumer(consumerSide, "com.foo.Shared", "&version=2.0"), newHeard));
            Thread.sleep(100); // the new subscription's first read is on its way
            consumerSide.unsubscribe(old, oldHeard);
            subscribing.get(10, TimeUnit.SECONDS);
            proxy.heal();

            URL v2 = provider(providerSide, "com.foo.Shared", "10.0.0.1", "&version=2.0");
            providerSide.register(v2);
            await().atMost(Duration.ofSeconds(5)).until(() -> newHeard.current("com.foo.Shared", "providers").equals(List.of(v2)));
        }
    }

    /**
     * A change that lands just before a new subscription's first read of a key is part of that read; the
     * subscriptions already on the key must hear of it too, not only the new one.
     */
    @Test
    void aChangeSeenFirstByANewSubscriptionsReadReachesTheEarlierOnes() throws Exception {
        try (TcpProxy proxy = new TcpProxy("127.0.0.1", redis.server().port()); Registries registries = new Registries()) {
            RedisRegistry providerSide = registries.create(redis.address(), "");
            RedisRegistry consumerSide = registries.create(proxy.address(), "resync.period=0");
            Notifications earlier = new Notifications();
            consumerSide.subscribe(consumer(consumerSide, "com.foo.Race", ""), earlier);

            proxy.delay(300);
            CompletableFuture<Void> subscribing = CompletableFuture.runAsync(
                    () -> consumerSide.subscribe(consumer(consumerSide, "com.foo.Race", "&application=second"), new Notifications()));
            Thread.sleep(450); // the new read has reached Redis; its answer is still on its way back
            URL p = provider(providerSide, "com.foo.Race", "10.0.0.1", "");
            providerSide.register(p);
            subscribing.get(10, TimeUnit.SECONDS);
            proxy.heal();
            await().atMost(Duration.ofSeconds(5)).until(() -> earlier.current("com.foo.Race", "providers").equals(List.of(p)));
        }
    }

    /**
     * A static rule (an override written by an admin, {@code dynamic=false}) deleted while a consumer was
     * cut off is gone from it once it reads again: nobody renews static entries, so an unannounced
     * disappearance of one is not a lagging replica to wait for.
     */
    @Test
    void aStaticRuleDeletedWhileCutOffIsGoneAfterReconnecting() throws Exception {
        try (TcpProxy proxy = new TcpProxy("127.0.0.1", redis.server().port()); Registries registries = new Registries()) {
            RedisRegistry admin = registries.create(redis.address(), "");
            RedisRegistry consumerSide = registries.create(proxy.address(), "reconnect.period=100");
            URL override = url(admin, "override://0.0.0.0/com.foo.Static?interface=com.foo.Static"
                    + "&category=configurators&dynamic=false&disabled=true");
            admin.register(override);
            Notifications heard = new Notifications();
            consumerSide.subscribe(consumer(consumerSide, "com.foo.Static", ""), heard);
            assertThat(heard.current("com.foo.Static", "configurators")).containsExactly(override);

            proxy.cut();
            admin.unregister(override); // its announcement never reaches the consumer
            Thread.sleep(300);
            proxy.heal();
            await().atMost(Duration.ofSeconds(5)).until(() -> heard.current("com.foo.Static", "configurators").isEmpty());
        }
    }

    /**
     * The two links of a node reconnect on their own. Here the command link is down (its reconnects
     * refused) while the pub/sub link still hears a change: the read the message asks for fails. Once
     * commands reach Redis again that key is read again at once, not left to anti-entropy (off here).
     */
    @Test
    void aReadThatFailedWhileOnlyTheCommandLinkWasDownIsSentAgainWhenItReturns() throws Exception {
        try (TcpProxy proxy = new TcpProxy("127.0.0.1", redis.server().port()); Registries registries = new Registries();
                RespClient raw = redis.client()) {
            RedisRegistry consumerSide = registries.create(proxy.address(), "resync.period=0&reconnect.period=100");
            Notifications heard = new Notifications();
            consumerSide.subscribe(consumer(consumerSide, "com.foo.Retry", ""), heard);
            assertThat(heard.current("com.foo.Retry", "providers")).isEmpty();

            proxy.refuseNewConnections();
            raw.call("CLIENT", "KILL", "ID", commandConnectionId(raw));
            String key = "/dubbo/com.foo.Retry/providers";
            String field = "dubbo://10.0.0.1:20880/com.foo.Retry?interface=com.foo.Retry&side=provider";
            raw.call("HSET", key, field, Long.toString(System.currentTimeMillis() + 600_000));
            assertThat(raw.number("PUBLISH", key, "register")).as("subscribers who heard the change").isEqualTo(1);
            Thread.sleep(500); // the read it asked for has failed: no command link
            assertThat(heard.current("com.foo.Retry", "providers")).isEmpty();

            proxy.heal();
            await().atMost(Duration.ofSeconds(5)).until(() -> heard.current("com.foo.Retry", "providers").size() == 1);
            assertThat(heard.current("com.foo.Retry", "providers").get(0).toFullString()).isEqualTo(field);
        }
    }

    /**
     * The same for an admin's scan for new keys: a resync while only the command link is down cannot
     * scan; once commands return the scan is made again, so a service that appeared unannounced during
     * the gap is found then, not at the next anti-entropy pass (off here).
     */
    @Test
    void anAdminScanThatFailedWhileOnlyTheCommandLinkWasDownIsMadeAgainWhenItReturns() throws Exception {
        try (TcpProxy proxy = new TcpProxy("127.0.0.1", redis.server().port()); Registries registries = new Registries();
                RespClient raw = redis.client()) {
            RedisRegistry admin = registries.create(proxy.address(), "group=scan-retry&resync.period=0&reconnect.period=100");
            Notifications heard = new Notifications();
            admin.subscribe(url(admin, "admin://10.0.0.3/*?interface=*&group=*&version=*&classifier=*"
                    + "&category=providers&check=false"), heard);

            proxy.refuseNewConnections();
            raw.call("CLIENT", "KILL", "ID", commandConnectionId(raw));
            String field = "dubbo://10.0.0.1:20880/com.foo.Unannounced?interface=com.foo.Unannounced&side=provider";
            raw.call("HSET", "/scan-retry/com.foo.Unannounced/providers", field, Long.toString(System.currentTimeMillis() + 600_000));
            admin.engine().maintenance().resyncNow("test"); // as after a pub/sub gap; its scan fails: no command link
            Thread.sleep(500);
            assertThat(heard.heard("com.foo.Unannounced", "providers")).isFalse();

            proxy.heal();
            await().atMost(Duration.ofSeconds(5)).until(() -> heard.current("com.foo.Unannounced", "providers").size() == 1);
            assertThat(heard.current("com.foo.Unannounced", "providers").get(0).toFullString()).isEqualTo(field);
        }
    }

    /** The id of the only registry connection that is not subscribed to anything. */
    private static String commandConnectionId(RespClient raw) {
        List<String> ids = new ArrayList<>();
        for (String line : raw.string("CLIENT", "LIST").split("\n")) {
            if (line.contains("name=dubbo-redis-registry") && line.contains(" sub=0 ") && line.contains(" psub=0 ")) {
                ids.add(line.substring(line.indexOf("id=") + 3, line.indexOf(' ', line.indexOf("id="))));
            }
        }
        assertThat(ids).as("command connections of the registry").hasSize(1);
        return ids.get(0);
    }

    @Test
    void changesReachSubscribersAndUnsubscribingStopsThem() {
        try (Registries registries = new Registries()) {
            RedisRegistry providerSide = registries.create(redis.address(), "");
            RedisRegistry consumerSide = registries.create(redis.address(), "");
            Notifications heard = new Notifications();
            URL subscription = consumer(consumerSide, "com.foo.Changes", "");
            consumerSide.subscribe(subscription, heard);

            URL p1 = provider(providerSide, "com.foo.Changes", "10.0.0.1", "");
            providerSide.register(p1);
            await().atMost(Duration.ofSeconds(5)).until(() -> heard.current("com.foo.Changes", "providers").equals(List.of(p1)));
            URL p2 = provider(providerSide, "com.foo.Changes", "10.0.0.3", "");
            providerSide.register(p2);
            await().atMost(Duration.ofSeconds(5)).until(() -> heard.current("com.foo.Changes", "providers").size() == 2);
            providerSide.unregister(p1);
            await().atMost(Duration.ofSeconds(5)).until(() -> heard.current("com.foo.Changes", "providers").equals(List.of(p2)));

            consumerSide.unsubscribe(subscription, heard);
            int before = heard.count();
            providerSide.register(p1);
            URL override = url(providerSide, "override://0.0.0.0/com.foo.Changes?interface=com.foo.Changes"
                    + "&category=configurators&timeout=100");
            providerSide.register(override);
            // Another subscriber hears both; the one that left hears nothing more.
            Notifications later = new Notifications();
            consumerSide.subscribe(consumer(consumerSide, "com.foo.Changes", "&application=other"), later);
            assertThat(later.current("com.foo.Changes", "configurators")).containsExactly(override);
            assertThat(heard.count()).isEqualTo(before);
        }
    }

    @Test
    void versionGroupAndClassifierAreMatchedAsDubboDoes() {
        try (Registries registries = new Registries()) {
            RedisRegistry registry = registries.create(redis.address(), "");
            String s = "com.foo.Matching";
            URL v1 = provider(registry, s, "10.0.0.1", "&version=1.0.0&group=blue");
            URL v2 = provider(registry, s, "10.0.0.2", "&version=2.0.0&group=blue");
            URL green = provider(registry, s, "10.0.0.3", "&version=1.0.0&group=green");
            URL disabled = provider(registry, s, "10.0.0.4", "&version=1.0.0&group=blue&enabled=false");
            for (URL u : List.of(v1, v2, green, disabled)) {
                registry.register(u);
            }
            assertThat(seenBy(registry, consumer(registry, s, "&version=1.0.0&group=blue"))).containsExactly(v1);
            assertThat(seenBy(registry, consumer(registry, s, "&version=*&group=blue"))).containsExactlyInAnyOrder(v1, v2);
            assertThat(seenBy(registry, consumer(registry, s, "&version=1.0.0&group=*"))).containsExactlyInAnyOrder(v1, green);
            assertThat(seenBy(registry, consumer(registry, s, "&version=1.0.0&group=blue,green"))).containsExactlyInAnyOrder(v1, green);
            assertThat(seenBy(registry, consumer(registry, s, "&version=3.0.0&group=blue"))).isEmpty();

            URL classified = provider(registry, "com.foo.Classified", "10.0.0.5", "&classifier=x");
            registry.register(classified);
            assertThat(seenBy(registry, consumer(registry, "com.foo.Classified", "&classifier=x"))).containsExactly(classified);
            assertThat(seenBy(registry, consumer(registry, "com.foo.Classified", "&classifier=y"))).isEmpty();
            assertThat(seenBy(registry, consumer(registry, "com.foo.Classified", "&classifier=*"))).containsExactly(classified);
        }
    }

    private static List<URL> seenBy(RedisRegistry registry, URL consumer) {
        Notifications heard = new Notifications();
        registry.subscribe(consumer, heard);
        registry.unsubscribe(consumer, heard);
        return heard.current(consumer.getServiceInterface(), "providers");
    }

    @Test
    void lookupReadsRedisWithoutSubscribing() {
        try (Registries registries = new Registries()) {
            RedisRegistry registry = registries.create(redis.address(), "");
            URL p = provider(registry, "com.foo.Lookup", "10.0.0.1", "&version=1.0.0");
            registry.register(p);
            registry.register(provider(registry, "com.foo.Lookup", "10.0.0.2", "&version=2.0.0"));
            assertThat(registry.lookup(consumer(registry, "com.foo.Lookup", "&version=1.0.0"))).containsExactly(p);
            assertThat(registry.lookup(consumer(registry, "com.foo.Nothing", ""))).isEmpty();
            assertThat(registry.getSubscribed()).isEmpty();
        }
    }

    @Test
    void anAdminSubscriberSeesEveryServiceAndEveryChange() {
        try (Registries registries = new Registries()) {
            RedisRegistry writer = registries.create(redis.address(), "group=admin-test");
            RedisRegistry admin = registries.create(redis.address(), "group=admin-test");
            URL a = provider(writer, "com.foo.AdminA", "10.0.0.1", "");
            URL aConsumer = url(writer, "consumer://10.0.0.2/com.foo.AdminA?interface=com.foo.AdminA&category=consumers");
            writer.register(a);
            writer.register(aConsumer);

            Notifications heard = new Notifications();
            admin.subscribe(url(admin, "admin://10.0.0.3/*?interface=*&group=*&version=*&classifier=*"
                    + "&category=providers,consumers,routers,configurators&check=false"), heard);
            assertThat(heard.current("com.foo.AdminA", "providers")).containsExactly(a);
            assertThat(heard.current("com.foo.AdminA", "consumers")).containsExactly(aConsumer);

            URL b = provider(writer, "com.foo.AdminB", "10.0.0.4", "&version=9&group=g");
            writer.register(b);
            await().atMost(Duration.ofSeconds(5)).until(() -> heard.current("com.foo.AdminB", "providers").equals(List.of(b)));
            writer.unregister(a);
            await().atMost(Duration.ofSeconds(5)).until(() -> heard.heard("com.foo.AdminA", "providers")
                    && heard.current("com.foo.AdminA", "providers").isEmpty());
            // The last notification for AdminA says so with an empty:// URL naming the service, as the old admin expects.
            URL empty = heard.all().stream().filter(l -> l.get(0).getProtocol().equals("empty")
                    && "com.foo.AdminA".equals(l.get(0).getPath())).reduce((x, y) -> y).orElseThrow().get(0);
            assertThat(empty.getParameter("category")).isEqualTo("providers");
            assertThat(empty.getServiceInterface()).isEqualTo("com.foo.AdminA");
        }
    }
}
