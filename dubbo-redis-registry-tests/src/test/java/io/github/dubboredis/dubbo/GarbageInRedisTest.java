package io.github.dubboredis.dubbo;

import static io.github.dubboredis.support.Registries.url;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;

import org.apache.dubbo.common.URL;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.github.dubboredis.support.LogCapture;
import io.github.dubboredis.support.Notifications;
import io.github.dubboredis.support.Registries;
import io.github.dubboredis.testkit.RedisServer;
import io.github.dubboredis.testkit.RespClient;

/**
 * Garbage written into Redis by hand or by a broken client is skipped and reported once, with its key;
 * it is never fatal and never hides the good entries beside it (the older registry lost the whole key
 * to one non-numeric expiry, including providers registered afterwards).
 */
class GarbageInRedisTest {

    private static final String SERVICE = "com.foo.Garbage";
    private static final String KEY = "/dubbo/" + SERVICE + "/providers";
    private static final String GOOD = "dubbo://10.0.0.1:20880/" + SERVICE + "?interface=" + SERVICE;
    private static final String NON_NUMERIC_EXPIRY = "dubbo://10.0.0.2:20880/" + SERVICE + "?interface=" + SERVICE;
    private static final String NOT_A_URL = "this is not a url";
    private static final String OTHER_SERVICE = "dubbo://10.0.0.3:20880/com.foo.Other?interface=com.foo.Other";

    private static RedisServer redis;

    @BeforeAll
    static void start() {
        redis = RedisServer.startDefault();
        try (RespClient raw = redis.client()) {
            String future = Long.toString(System.currentTimeMillis() + 600_000);
            raw.call("HSET", KEY, GOOD, future, NON_NUMERIC_EXPIRY, "soon", NOT_A_URL, future, OTHER_SERVICE, future);
            raw.call("SET", "/dubbo/com.foo.StringKey/providers", "oops");
            raw.call("RPUSH", "/dubbo/com.foo.ListKey/providers", "a", "b");
            raw.call("HSET", "/dubbo/no-category-here", GOOD, future);
        }
    }

    @AfterAll
    static void stop() {
        redis.close();
    }

    @Test
    void unreadableEntriesAreSkippedReportedOnceAndGoodOnesStillFlow() {
        try (Registries registries = new Registries(); LogCapture log = new LogCapture(); RespClient raw = redis.client()) {
            RedisRegistry registry = registries.create(redis.address(), "");
            Notifications heard = new Notifications();
            registry.subscribe(url(registry, "consumer://10.0.0.9/" + SERVICE + "?interface=" + SERVICE + "&category=providers"),
                    heard);
            assertThat(heard.current(SERVICE, "providers")).containsExactly(URL.valueOf(GOOD));

            // A provider registered after the garbage is still delivered; each re-read meets the garbage again.
            RedisRegistry providerSide = registries.create(redis.address(), "");
            URL late = url(providerSide, "dubbo://10.0.0.4:20880/" + SERVICE + "?interface=" + SERVICE);
            providerSide.register(late);
            await().atMost(Duration.ofSeconds(5)).until(() -> heard.current(SERVICE, "providers").size() == 2);
            for (int i = 0; i < 3; i++) {
                raw.call("PUBLISH", KEY, "register");
            }
            providerSide.unregister(late);
            await().atMost(Duration.ofSeconds(5)).until(() -> heard.current(SERVICE, "providers").size() == 1);

            // One line per key and kind of garbage, however often it is read.
            assertThat(log.count("unreadable entr")).isEqualTo(3);
            assertThat(log.lines()).anyMatch(l -> l.contains("expiry is not 1 to 15 decimal digits") && l.contains(NON_NUMERIC_EXPIRY));
            assertThat(log.lines()).anyMatch(l -> l.contains("not a URL") && l.contains(NOT_A_URL));
            assertThat(log.lines()).anyMatch(l -> l.contains("a URL of another service than '" + SERVICE + "'")
                    && l.contains(OTHER_SERVICE));
            assertThat(log.lines()).allMatch(l -> !l.startsWith("ERROR"));
        }
    }

    @Test
    void keysOfTheWrongTypeOrShapeAreSkippedByAnAdminAndReportedOnce() {
        try (Registries registries = new Registries(); LogCapture log = new LogCapture()) {
            RedisRegistry admin = registries.create(redis.address(), "");
            Notifications heard = new Notifications();
            admin.subscribe(url(admin, "admin://10.0.0.9/*?interface=*&group=*&version=*&classifier=*&category=*&check=false"),
                    heard);
            assertThat(heard.current(SERVICE, "providers")).containsExactly(URL.valueOf(GOOD));
            admin.engine().maintenance().resyncNow("test").join();
            await().atMost(Duration.ofSeconds(5)).until(() -> log.count("not a hash") >= 2);

            assertThat(log.count("Redis key '/dubbo/com.foo.StringKey/providers'")).isEqualTo(1);
            assertThat(log.count("Redis key '/dubbo/com.foo.ListKey/providers'")).isEqualTo(1);
            assertThat(log.count("Redis key '/dubbo/no-category-here'")).isEqualTo(1);
            assertThat(heard.heard("com.foo.StringKey", "providers")).isFalse();
        }
    }

    @Test
    void aConsumerOfAKeyOfTheWrongTypeStartsAndHearsWhenItIsRepaired() {
        try (Registries registries = new Registries(); LogCapture log = new LogCapture(); RespClient raw = redis.client()) {
            raw.call("SET", "/dubbo/com.foo.Broken/providers", "oops");
            RedisRegistry registry = registries.create(redis.address(), "");
            Notifications heard = new Notifications();
            registry.subscribe(url(registry, "consumer://10.0.0.9/com.foo.Broken?interface=com.foo.Broken"
                    + "&category=providers,configurators"), heard);
            assertThat(heard.heard("com.foo.Broken", "configurators")).isTrue();
            assertThat(log.count("Redis key '/dubbo/com.foo.Broken/providers'")).isEqualTo(1);

            raw.call("DEL", "/dubbo/com.foo.Broken/providers");
            String repaired = "dubbo://10.0.0.5:20880/com.foo.Broken?interface=com.foo.Broken";
            raw.call("HSET", "/dubbo/com.foo.Broken/providers", repaired, Long.toString(System.currentTimeMillis() + 60_000));
            raw.call("PUBLISH", "/dubbo/com.foo.Broken/providers", "register");
            await().atMost(Duration.ofSeconds(5)).until(() -> heard.current("com.foo.Broken", "providers")
                    .equals(List.of(URL.valueOf(repaired))));
        }
    }

    @Test
    void sweepingPastGarbageDoesNotFail() {
        try (Registries registries = new Registries()) {
            RedisRegistry registry = registries.create(redis.address(), "");
            assertThat(registry.engine().maintenance().sweepNow().join()).isZero();
        }
    }
}
