package io.github.dubboredis.registry;

import static io.github.dubboredis.support.Registries.url;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;

import org.apache.dubbo.common.URL;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.github.dubboredis.dubbo.RedisRegistry;
import io.github.dubboredis.support.LogCapture;
import io.github.dubboredis.support.Notifications;
import io.github.dubboredis.support.Registries;
import io.github.dubboredis.testkit.RedisPerClass;
import io.github.dubboredis.testkit.RedisServer;
import io.github.dubboredis.testkit.RespClient;

/**
 * When Redis loses its data no message says so. The data marker does: consumers then keep what they had
 * while owners register again, and are never told a category is empty in between.
 */
class DataLossRecoveryTest {

    private static final long SESSION = 4000;

    @RegisterExtension
    static final RedisPerClass redis = new RedisPerClass();

    @Test
    void afterAFlushNoSubscriberIsToldACategoryIsEmptyAndRealRemovalsFollowTheHold() {
        try (Registries registries = new Registries(); RespClient raw = redis.client(); LogCapture log = new LogCapture()) {
            // Different command timeouts: two separate connections, as two processes would have.
            RedisRegistry providerSide = registries.create(redis.address(), "session=" + SESSION + "&timeout=5001&group=loss");
            RedisRegistry consumerSide = registries.create(redis.address(), "session=" + SESSION + "&resync.period=0&group=loss");
            URL p1 = url(providerSide, "dubbo://10.0.0.1:20880/com.foo.Loss?interface=com.foo.Loss");
            URL p2 = url(providerSide, "dubbo://10.0.0.2:20880/com.foo.Loss?interface=com.foo.Loss");
            providerSide.register(p1);
            providerSide.register(p2);
            Notifications heard = new Notifications();
            consumerSide.subscribe(url(consumerSide, "consumer://10.0.0.3/com.foo.Loss?interface=com.foo.Loss&category=providers"),
                    heard);
            assertThat(heard.current("com.foo.Loss", "providers")).hasSize(2);
            int before = heard.count();

            raw.call("FLUSHALL");
            consumerSide.engine().maintenance().resyncNow("test").join(); // reads the empty Redis before anyone re-registered
            await().atMost(Duration.ofSeconds(5)).until(() -> consumerSide.engine().subscriptions().recovering());
            await().atMost(Duration.ofSeconds(5)).until(() -> raw.hgetall("/loss/com.foo.Loss/providers").size() == 2);

            // During the hold an unregister (its change record names the entry) is honoured at once: only entries
            // that vanished without a word are held.
            assertThat(consumerSide.engine().subscriptions().recovering()).isTrue();
            providerSide.unregister(p2);
            await().atMost(Duration.ofMillis(SESSION)).until(() -> heard.current("com.foo.Loss", "providers").equals(List.of(p1)));
            assertThat(heard.all().subList(before, heard.count())).as("notifications after the flush")
                    .noneMatch(urls -> urls.get(0).getProtocol().equals("empty"));
            assertThat(log.count("lost its data")).isGreaterThanOrEqualTo(1);
        }
    }

    @Test
    void entriesThatVanishUnannouncedFromOneKeyAreKeptUntilTheirOwnersWriteThemAgain() {
        // What a Redis Cluster failover to a lagging replica does to one slot: the data marker elsewhere is intact.
        try (Registries registries = new Registries(); RespClient raw = redis.client()) {
            RedisRegistry providerSide = registries.create(redis.address(), "session=" + SESSION + "&timeout=5001&group=slot");
            RedisRegistry consumerSide = registries.create(redis.address(), "session=" + SESSION + "&resync.period=0&group=slot");
            URL p = url(providerSide, "dubbo://10.0.0.1:20880/com.foo.Slot?interface=com.foo.Slot");
            providerSide.register(p);
            Notifications heard = new Notifications();
            consumerSide.subscribe(url(consumerSide, "consumer://10.0.0.3/com.foo.Slot?interface=com.foo.Slot&category=providers"),
                    heard);
            int before = heard.count();

            raw.call("DEL", "/slot/com.foo.Slot/providers"); // no message, no marker change
            consumerSide.engine().maintenance().resyncNow("test").join();
            await().atMost(Duration.ofSeconds(5)).until(() -> raw.hgetall("/slot/com.foo.Slot/providers").size() == 1);
            assertThat(consumerSide.engine().subscriptions().recovering()).as("the marker is intact: no global recovery").isFalse();
            assertThat(heard.all().subList(before, heard.count())).noneMatch(urls -> urls.get(0).getProtocol().equals("empty"));
            assertThat(heard.current("com.foo.Slot", "providers")).containsExactly(p);

            // An entry that vanishes unannounced and is never written again goes at its last known expiry.
            String ghost = "dubbo://10.0.0.9:20880/com.foo.Slot?interface=com.foo.Slot";
            long expiry = System.currentTimeMillis() + 1500;
            raw.call("HSET", "/slot/com.foo.Slot/providers", ghost, Long.toString(expiry));
            raw.call("PUBLISH", "/slot/com.foo.Slot/providers", "register");
            await().atMost(Duration.ofSeconds(5)).until(() -> heard.current("com.foo.Slot", "providers").size() == 2);
            raw.call("HDEL", "/slot/com.foo.Slot/providers", ghost);
            consumerSide.engine().maintenance().resyncNow("test").join();
            await().pollDelay(Duration.ofMillis(200)).atMost(Duration.ofSeconds(1)).until(() -> true);
            assertThat(heard.current("com.foo.Slot", "providers")).hasSize(2);
            await().atMost(Duration.ofSeconds(5)).until(() -> heard.current("com.foo.Slot", "providers").equals(List.of(p)));
            assertThat(System.currentTimeMillis()).isGreaterThanOrEqualTo(expiry);
        }
    }

    @Test
    void dubbosEnableEmptyProtectionKeepsTheLastProviders() {
        try (Registries registries = new Registries()) {
            RedisRegistry providerSide = registries.create(redis.address(), "group=protect");
            RedisRegistry consumerSide = registries.create(redis.address(), "group=protect&enable-empty-protection=true");
            URL p = url(providerSide, "dubbo://10.0.0.1:20880/com.foo.Protect?interface=com.foo.Protect");
            providerSide.register(p);
            Notifications heard = new Notifications();
            consumerSide.subscribe(url(consumerSide, "consumer://10.0.0.3/com.foo.Protect?interface=com.foo.Protect"
                    + "&category=providers,configurators"), heard);
            assertThat(heard.current("com.foo.Protect", "providers")).containsExactly(p);
            providerSide.unregister(p);
            URL override = url(providerSide, "override://0.0.0.0/com.foo.Protect?interface=com.foo.Protect&category=configurators");
            providerSide.register(override); // a later change on another category proves the registry kept listening
            await().atMost(Duration.ofSeconds(5)).until(() -> heard.current("com.foo.Protect", "configurators").size() == 1);
            assertThat(heard.current("com.foo.Protect", "providers")).containsExactly(p);
            assertThat(heard.all()).noneMatch(urls -> urls.stream().anyMatch(
                    u -> u.getProtocol().equals("empty") && "providers".equals(u.getCategory())));
        }
    }

    @Test
    void aNodeThatMayEvictOrHasNoPersistenceIsWarnedAboutOnce() {
        try (RedisServer evicting = RedisServer.builder().config("maxmemory-policy allkeys-lru").build().start();
                Registries registries = new Registries(); LogCapture log = new LogCapture()) {
            // Two registries of one application: one connection, one warning.
            RedisRegistry first = registries.create(evicting.address(), "");
            registries.createBeside(first, evicting.address(), "group=other");
            await().atMost(Duration.ofSeconds(5)).until(() -> log.count("maxmemory-policy allkeys-lru") >= 1);
            await().atMost(Duration.ofSeconds(5)).until(() -> log.count("has no persistence") >= 1);
            assertThat(log.count("maxmemory-policy allkeys-lru")).isEqualTo(1);
            assertThat(log.count("has no persistence")).isEqualTo(1);
        }
    }
}
