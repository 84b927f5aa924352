package io.github.dubboredis.dubbo;

import static io.github.dubboredis.support.Registries.url;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.dubbo.common.URL;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.github.dubboredis.support.Notifications;
import io.github.dubboredis.support.Registries;
import io.github.dubboredis.testkit.RedisPerClass;
import io.github.dubboredis.testkit.RespClient;

/**
 * The data contract with the older Dubbo Redis registry (DESIGN.md section 1), checked through an
 * independent Redis client: what we write is what an old reader expects, and what an old writer writes
 * (exactly as its code does: HSET then PUBLISH) is what we read.
 */
class LegacyDataLayoutTest {

    @RegisterExtension
    static final RedisPerClass redis = new RedisPerClass();

    @Test
    void registerWritesTheFullUrlWithItsExpiryAndAnnouncesIt() throws Exception {
        try (Registries registries = new Registries(); RespClient raw = redis.client(); RespClient subscriber = redis.client()) {
            subscriber.call("PSUBSCRIBE", "/dubbo/*");
            RedisRegistry registry = registries.create(redis.address(), "session=60000");
            URL provider = url(registry, "dubbo://10.0.0.1:20880/com.foo.LayoutService?interface=com.foo.LayoutService"
                    + "&side=provider&version=1.0.0&methods=a,b");
            long before = Long.parseLong((String) ((List<?>) raw.call("TIME")).get(0)) * 1000;

            registry.register(provider);

            Map<String, String> hash = raw.hgetall("/dubbo/com.foo.LayoutService/providers");
            assertThat(hash).containsOnlyKeys(provider.toFullString());
            long expiry = Long.parseLong(hash.get(provider.toFullString()));
            // Stamped on Redis's clock, a session ahead (less the reap margin): a plain decimal number.
            assertThat(expiry).isBetween(before + 45_000, before + 61_000);
            assertThat(subscriberMessage(subscriber)).containsExactly((Object) "pmessage", "/dubbo/*",
                    "/dubbo/com.foo.LayoutService/providers", "register");

            registry.unregister(provider);
            assertThat(raw.hgetall("/dubbo/com.foo.LayoutService/providers")).isEmpty();
            assertThat(subscriberMessage(subscriber)).containsExactly((Object) "pmessage", "/dubbo/*",
                    "/dubbo/com.foo.LayoutService/providers", "unregister");
            // Nothing of ours may sit under the root: an old admin HGETALLs every /dubbo/* key.
            for (String key : raw.scan("/dubbo/*")) {
                assertThat(raw.string("TYPE", key)).as(key).isEqualTo("hash");
            }
        }
    }

    @Test
    void consumersAndOtherCategoriesGoToTheirOwnHash() {
        try (Registries registries = new Registries(); RespClient raw = redis.client()) {
            RedisRegistry registry = registries.create(redis.address(), "");
            URL consumer = url(registry, "consumer://10.0.0.2/com.foo.CatService?interface=com.foo.CatService"
                    + "&category=consumers&side=consumer");
            URL route = url(registry, "route://0.0.0.0/com.foo.CatService?interface=com.foo.CatService"
                    + "&category=routers&dynamic=false&rule=abc");
            registry.register(consumer);
            registry.register(route);
            assertThat(raw.hgetall("/dubbo/com.foo.CatService/consumers")).containsOnlyKeys(consumer.toFullString());
            assertThat(raw.hgetall("/dubbo/com.foo.CatService/routers")).containsOnlyKeys(route.toFullString());
        }
    }

    @Test
    void groupChangesTheRoot() {
        try (Registries registries = new Registries(); RespClient raw = redis.client()) {
            RedisRegistry registry = registries.create(redis.address(), "group=staging");
            URL provider = url(registry, "dubbo://10.0.0.1:20880/com.foo.GroupService?interface=com.foo.GroupService");
            registry.register(provider);
            assertThat(raw.hgetall("/staging/com.foo.GroupService/providers")).containsOnlyKeys(provider.toFullString());
            assertThat(raw.scan("/dubbo/com.foo.GroupService/*")).isEmpty();
        }
    }

    @Test
    void entriesWrittenTheOldWayAreFoundAndFollowed() {
        try (Registries registries = new Registries(); RespClient legacy = redis.client()) {
            String key = "/dubbo/com.foo.OldService/providers";
            String oldProvider = "dubbo://10.0.0.9:20880/com.foo.OldService?anyhost=true&application=old&dubbo=2.0.2"
                    + "&dynamic=true&interface=com.foo.OldService&methods=hi&release=2.7.23&side=provider";
            // Exactly what Dubbo 2.7's RedisRegistry.doRegister does: its own clock plus the session.
            legacy.call("HSET", key, oldProvider, Long.toString(System.currentTimeMillis() + 60_000));
            legacy.call("PUBLISH", key, "register");

            RedisRegistry registry = registries.create(redis.address(), "");
            Notifications heard = new Notifications();
            registry.subscribe(url(registry, "consumer://10.0.0.2/com.foo.OldService?interface=com.foo.OldService"
                    + "&category=providers,configurators,routers"), heard);
            assertThat(heard.current("com.foo.OldService", "providers")).extracting(URL::toFullString)
                    .containsExactly(oldProvider);

            String second = oldProvider.replace("10.0.0.9", "10.0.0.10");
            legacy.call("HSET", key, second, Long.toString(System.currentTimeMillis() + 60_000));
            legacy.call("PUBLISH", key, "register");
            await().atMost(Duration.ofSeconds(5)).until(() -> heard.current("com.foo.OldService", "providers").size() == 2);

            legacy.call("HDEL", key, oldProvider, second);
            legacy.call("PUBLISH", key, "unregister");
            await().atMost(Duration.ofSeconds(5)).until(() -> heard.current("com.foo.OldService", "providers").isEmpty());
        }
    }

    @Test
    void anOldReaderFiltersOurEntriesTheWayItsCodeDoes() {
        try (Registries registries = new Registries(); RespClient raw = redis.client()) {
            RedisRegistry registry = registries.create(redis.address(), "");
            URL provider = url(registry, "dubbo://10.0.0.1:20880/com.foo.ReadService?interface=com.foo.ReadService&side=provider");
            registry.register(provider);
            // Dubbo 2.7's doNotify: URL.valueOf(field), Long.parseLong(value) >= its own now.
            List<URL> seenByOldReader = new ArrayList<>();
            for (Map.Entry<String, String> e : raw.hgetall("/dubbo/com.foo.ReadService/providers").entrySet()) {
                URL u = URL.valueOf(e.getKey());
                if (!u.getParameter("dynamic", true) || Long.parseLong(e.getValue()) >= System.currentTimeMillis()) {
                    seenByOldReader.add(u);
                }
            }
            assertThat(seenByOldReader).containsExactly(provider);
        }
    }

    private static List<Object> subscriberMessage(RespClient subscriber) {
        while (true) {
            @SuppressWarnings("unchecked")
            List<Object> m = (List<Object>) subscriber.read();
            if (!"psubscribe".equals(m.get(0))) {
                return m;
            }
        }
    }
}
