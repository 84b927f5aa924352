package io.github.dubboredis.registry;

import static io.github.dubboredis.support.Registries.url;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.dubbo.common.URL;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.github.dubboredis.config.RedisRegistrySettings;
import io.github.dubboredis.config.RegistryUrlParser;
import io.github.dubboredis.dubbo.RedisRegistry;
import io.github.dubboredis.support.Notifications;
import io.github.dubboredis.support.Registries;
import io.github.dubboredis.testkit.RedisPerClass;
import io.github.dubboredis.testkit.RespClient;

/** Leases: renewed by their owner, judged on Redis's clock, reaped by anyone once their owner is gone. */
class LivenessTest {

    private static final long SESSION = 2000;

    @RegisterExtension
    static final RedisPerClass redis = new RedisPerClass();

    private static RedisRegistrySettings settings(String group) {
        return RegistryUrlParser.parse(URL.valueOf("redis://" + redis.address() + "?session=" + SESSION + "&group=" + group));
    }

    private static long redisNow(RespClient raw) {
        List<?> t = (List<?>) raw.call("TIME");
        return Long.parseLong((String) t.get(0)) * 1000 + Long.parseLong((String) t.get(1)) / 1000;
    }

    @Test
    void renewalKeepsEntriesAliveFarBeyondTheSession() throws Exception {
        try (Registries registries = new Registries(); RespClient raw = redis.client()) {
            RedisRegistry registry = registries.create(redis.address(), "session=" + SESSION + "&group=renew");
            URL p = url(registry, "dubbo://10.0.0.1:20880/com.foo.Renewed?interface=com.foo.Renewed");
            registry.register(p);
            String key = "/renew/com.foo.Renewed/providers";
            long first = Long.parseLong(raw.hgetall(key).get(p.toFullString()));
            TimeUnit.MILLISECONDS.sleep(SESSION * 3);
            long later = Long.parseLong(raw.hgetall(key).get(p.toFullString()));
            assertThat(later).isGreaterThan(first + SESSION);
            assertThat(later).isGreaterThan(redisNow(raw));
        }
    }

    @Test
    void aRegistryThatDiesWithoutUnregisteringIsReapedByAnotherWithinOneSession() {
        try (Registries registries = new Registries(); RespClient raw = redis.client()) {
            RegistryEngine crashing = RegistryEngine.open(settings("crash"), RegistryObserver.NONE);
            CategoryKey key = crashing.root().key("com.foo.Crashing", "providers");
            String field = "dubbo://10.0.0.1:20880/com.foo.Crashing?interface=com.foo.Crashing";
            crashing.register(key, field, true).join();

            RedisRegistry consumerSide = registries.create(redis.address(), "session=" + SESSION + "&group=crash");
            Notifications heard = new Notifications();
            consumerSide.subscribe(url(consumerSide, "consumer://10.0.0.2/com.foo.Crashing?interface=com.foo.Crashing"
                    + "&category=providers"), heard);
            assertThat(heard.current("com.foo.Crashing", "providers")).hasSize(1);

            long crashedAt = System.nanoTime();
            crashing.close(); // stops renewing; unregisters nothing: a crash as far as Redis can tell
            await().atMost(Duration.ofMillis(SESSION * 2)).pollInterval(Duration.ofMillis(10))
                    .until(() -> heard.current("com.foo.Crashing", "providers").isEmpty());
            long goneAfter = (System.nanoTime() - crashedAt) / 1_000_000;
            assertThat(goneAfter).as("ms from the crash to the consumer's empty list").isLessThanOrEqualTo(SESSION);
            assertThat(raw.hgetall(key.redisKey())).isEmpty();
            assertThat(raw.call("ZRANGE", "dubbo-redis:/crash/:leases", "0", "-1")).isEqualTo(List.of());
        }
    }

    @Test
    void registrarsWhoseClocksAreMinutesOffNeitherEvictOthersNorAreEvicted() throws Exception {
        long fiveMinutes = TimeUnit.MINUTES.toMillis(5);
        try (Registries registries = new Registries(); RespClient raw = redis.client();
                RegistryEngine ahead = RegistryEngine.open(settings("skew"), RegistryObserver.NONE,
                        () -> System.currentTimeMillis() + fiveMinutes);
                RegistryEngine behind = RegistryEngine.open(settings("skew"), RegistryObserver.NONE,
                        () -> System.currentTimeMillis() - fiveMinutes)) {
            CategoryKey key = ahead.root().key("com.foo.Skewed", "providers");
            String fromAhead = "dubbo://10.0.0.1:20880/com.foo.Skewed?interface=com.foo.Skewed&clock=ahead";
            String fromBehind = "dubbo://10.0.0.2:20880/com.foo.Skewed?interface=com.foo.Skewed&clock=behind";
            ahead.register(key, fromAhead, true).join();
            behind.register(key, fromBehind, true).join();

            RedisRegistry observer = registries.create(redis.address(), "session=" + SESSION + "&group=skew");
            Notifications heard = new Notifications();
            observer.subscribe(url(observer, "consumer://10.0.0.3/com.foo.Skewed?interface=com.foo.Skewed&category=providers"),
                    heard);
            assertThat(heard.current("com.foo.Skewed", "providers")).hasSize(2);

            for (long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SESSION * 3); System.nanoTime() < deadline; ) {
                Map<String, String> hash = raw.hgetall(key.redisKey());
                assertThat(hash).containsOnlyKeys(fromAhead, fromBehind);
                long now = redisNow(raw);
                for (String expiry : hash.values()) {
                    // Stamped on Redis's clock: about a lease ahead of Redis, whatever the writer's clock says.
                    assertThat(Long.parseLong(expiry) - now).isBetween(0L, SESSION);
                }
                TimeUnit.MILLISECONDS.sleep(100);
            }
            assertThat(heard.all()).as("no notification ever dropped a live provider").allSatisfy(l -> assertThat(l).hasSize(2));
        }
    }

    @Test
    void entriesOfOlderRegistriesAreReapedOnlyAfterTheGrace() {
        try (RespClient raw = redis.client(); RegistryEngine engine = RegistryEngine.open(settings("grace"), RegistryObserver.NONE)) {
            long grace = engine.timings().reapGrace().toMillis();
            String key = "/grace/com.foo.Old/providers";
            String slowClock = "dubbo://10.0.0.1:20880/com.foo.Old?interface=com.foo.Old&writer=slow";
            String dead = "dubbo://10.0.0.2:20880/com.foo.Old?interface=com.foo.Old&writer=dead";
            String permanent = "dubbo://10.0.0.3:20880/com.foo.Old?interface=com.foo.Old&dynamic=false";
            long now = redisNow(raw);
            raw.call("HSET", key, slowClock, Long.toString(now - grace / 2), dead, Long.toString(now - grace * 2),
                    permanent, Long.toString(now - grace * 100));

            assertThat(engine.sweepNow().join()).isEqualTo(1);
            assertThat(raw.hgetall(key)).containsOnlyKeys(slowClock, permanent);
        }
    }

    @Test
    void entriesWithDynamicFalseNeverExpire() {
        try (Registries registries = new Registries(); RespClient raw = redis.client()) {
            String key = "/static/com.foo.Static/providers";
            String permanent = "dubbo://10.0.0.3:20880/com.foo.Static?interface=com.foo.Static&dynamic=false";
            raw.call("HSET", key, permanent, "0");
            RedisRegistry registry = registries.create(redis.address(), "session=" + SESSION + "&group=static");
            Notifications heard = new Notifications();
            registry.subscribe(url(registry, "consumer://10.0.0.2/com.foo.Static?interface=com.foo.Static&category=providers"), heard);
            assertThat(heard.current("com.foo.Static", "providers")).containsExactly(URL.valueOf(permanent));
            registry.engine().sweepNow().join();
            assertThat(raw.hgetall(key)).containsOnlyKeys(permanent);
        }
    }

    @Test
    void anUnregisteredUrlStaysUnregisteredThroughRenewals() throws Exception {
        // What QoS "offline" does: unregister a URL the registry still knows. The older registry wrote it back.
        try (Registries registries = new Registries(); RespClient raw = redis.client()) {
            RedisRegistry registry = registries.create(redis.address(), "session=" + SESSION + "&group=offline");
            URL p = url(registry, "dubbo://10.0.0.1:20880/com.foo.Offline?interface=com.foo.Offline");
            registry.register(p);
            registry.unregister(p);
            registry.engine().renewNow().join();
            TimeUnit.MILLISECONDS.sleep(SESSION);
            assertThat(raw.hgetall("/offline/com.foo.Offline/providers")).isEmpty();
            registry.register(p); // "online"
            assertThat(raw.hgetall("/offline/com.foo.Offline/providers")).containsOnlyKeys(p.toFullString());
        }
    }

    @Test
    void destroyUnregistersWhatTheRegistryOwnsButStaticEntries() {
        try (Registries registries = new Registries(); RespClient raw = redis.client()) {
            RedisRegistry registry = registries.create(redis.address(), "session=" + SESSION + "&group=destroy");
            URL dynamic = url(registry, "dubbo://10.0.0.1:20880/com.foo.Destroy?interface=com.foo.Destroy");
            URL permanent = url(registry, "dubbo://10.0.0.2:20880/com.foo.Destroy?interface=com.foo.Destroy&dynamic=false");
            registry.register(dynamic);
            registry.register(permanent);
            registry.destroy();
            assertThat(raw.hgetall("/destroy/com.foo.Destroy/providers")).containsOnlyKeys(permanent.toFullString());
        }
    }
}
