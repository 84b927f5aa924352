package io.github.dubboredis.registry;

import static io.github.dubboredis.support.Registries.url;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.dubbo.common.URL;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.github.dubboredis.config.RedisRegistrySettings;
import io.github.dubboredis.dubbo.RedisRegistry;
import io.github.dubboredis.internal.engine.RegistryEngine;
import io.github.dubboredis.internal.model.CategoryKey;
import io.github.dubboredis.internal.report.RegistryObserver;
import io.github.dubboredis.support.Engines;
import io.github.dubboredis.support.Notifications;
import io.github.dubboredis.support.Registries;
import io.github.dubboredis.testkit.RedisPerClass;
import io.github.dubboredis.testkit.RespClient;
import io.github.dubboredis.testkit.TcpProxy;

/** Leases: renewed by their owner, judged on Redis's clock, reaped by anyone once their owner is gone. */
class LivenessTest {

    private static final long SESSION = 2000;

    @RegisterExtension
    static final RedisPerClass redis = new RedisPerClass();

    private static RedisRegistrySettings settings(String group) {
        return Engines.settings("redis://" + redis.address() + "?session=" + SESSION + "&group=" + group);
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
    void aRegistrationDubboGaveUpOnIsNotRenewedIntoExistenceButOneItRetriesIs() throws Exception {
        try (TcpProxy proxy = new TcpProxy("127.0.0.1", redis.server().port()); Registries registries = new Registries();
                RespClient raw = redis.client()) {
            String parameters = "session=" + SESSION + "&group=failed&reconnect.period=100";
            RedisRegistry checked = registries.create(proxy.address(), parameters);
            RedisRegistry unchecked = registries.create(proxy.address(), parameters + "&check=false");
            URL refused = url(checked, "dubbo://10.0.0.1:20880/com.foo.Failed?interface=com.foo.Failed");
            URL retried = url(unchecked, "dubbo://10.0.0.2:20880/com.foo.Failed?interface=com.foo.Failed");

            proxy.cut();
            // check=true: Dubbo throws and counts the URL as never registered, so it would never unregister it.
            assertThatThrownBy(() -> checked.register(refused)).isInstanceOf(IllegalStateException.class);
            // check=false: Dubbo logs, and retries later.
            unchecked.register(retried);
            proxy.heal();

            String key = "/failed/com.foo.Failed/providers";
            // Written again by the registry's own reconnect, well before Dubbo's retry (5 s by default).
            await().atMost(Duration.ofMillis(SESSION)).until(() -> raw.hgetall(key).containsKey(retried.toFullString()));
            TimeUnit.MILLISECONDS.sleep(SESSION); // several renewals
            assertThat(raw.hgetall(key)).doesNotContainKey(refused.toFullString());
        }
    }

    /**
     * A Dubbo listener may block for long (a consumer connecting to new providers as it is told of them):
     * the registry's own renewals must go on meanwhile, or its providers would expire and be reaped.
     */
    @Test
    void aListenerThatBlocksDoesNotStopRenewals() throws Exception {
        try (Registries registries = new Registries()) {
            String parameters = "session=" + SESSION + "&group=blocking";
            RedisRegistry blocked = registries.create(redis.address(), parameters);
            // Another process, as far as Redis can tell (registries of equal settings share a connection and thread).
            RedisRegistry other = registries.create(redis.address(), parameters + "&timeout=4999");
            URL own = url(blocked, "dubbo://10.0.0.1:20880/com.foo.Own?interface=com.foo.Own");
            blocked.register(own);
            Notifications watcher = new Notifications();
            other.subscribe(url(other, "consumer://10.0.0.3/com.foo.Own?interface=com.foo.Own&category=providers"), watcher);
            assertThat(watcher.current("com.foo.Own", "providers")).containsExactly(own);

            CountDownLatch release = new CountDownLatch(1);
            AtomicInteger calls = new AtomicInteger();
            blocked.subscribe(url(blocked, "consumer://10.0.0.1/com.foo.Slow?interface=com.foo.Slow&category=providers"), urls -> {
                if (calls.incrementAndGet() == 2) { // the first change after subscribing: block far beyond a session
                    try {
                        release.await(SESSION * 3, TimeUnit.MILLISECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            });
            other.register(url(other, "dubbo://10.0.0.2:20880/com.foo.Slow?interface=com.foo.Slow"));
            await().atMost(Duration.ofSeconds(5)).until(() -> calls.get() == 2);

            long until = System.currentTimeMillis() + SESSION * 2;
            while (System.currentTimeMillis() < until) {
                assertThat(watcher.current("com.foo.Own", "providers")).as("the blocked registry's own provider").containsExactly(own);
                TimeUnit.MILLISECONDS.sleep(50);
            }
            release.countDown();
        }
    }

    @Test
    void aRegistryThatDiesWithoutUnregisteringIsReapedByAnotherWithinOneSession() {
        try (Registries registries = new Registries(); RespClient raw = redis.client(); Engines engines = new Engines()) {
            RegistryEngine crashing = engines.open(settings("crash"));
            CategoryKey key = crashing.keyspace().key("com.foo.Crashing", "providers");
            String field = "dubbo://10.0.0.1:20880/com.foo.Crashing?interface=com.foo.Crashing";
            crashing.registrations().register(key, field, true).join();

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
            // The lease ended with its entries: nothing of the dead registry is left. The reaper ends the lease and
            // deletes the owner's key set in steps after the entries' removal, which is what the consumer heard, so
            // these follow a few round trips later (on a loaded machine, after the check above): waited for, bounded.
            await().atMost(Duration.ofMillis(SESSION)).pollInterval(Duration.ofMillis(10)).untilAsserted(() -> {
                assertThat(raw.call("ZRANGE", "dubbo-redis:/crash/:owners", "0", "-1")).isEqualTo(List.of());
                assertThat(raw.call("EXISTS", "dubbo-redis:/crash/:owner:" + crashing.registrations().ownerId())).isEqualTo(0L);
            });
        }
    }

    @Test
    void registrarsWhoseClocksAreMinutesOffNeitherEvictOthersNorAreEvicted() throws Exception {
        long fiveMinutes = TimeUnit.MINUTES.toMillis(5);
        try (Registries registries = new Registries(); RespClient raw = redis.client(); Engines engines = new Engines()) {
            RegistryEngine ahead = engines.open(settings("skew"), RegistryObserver.NONE, () -> System.currentTimeMillis() + fiveMinutes);
            RegistryEngine behind = engines.open(settings("skew"), RegistryObserver.NONE, () -> System.currentTimeMillis() - fiveMinutes);
            CategoryKey key = ahead.keyspace().key("com.foo.Skewed", "providers");
            String fromAhead = "dubbo://10.0.0.1:20880/com.foo.Skewed?interface=com.foo.Skewed&clock=ahead";
            String fromBehind = "dubbo://10.0.0.2:20880/com.foo.Skewed?interface=com.foo.Skewed&clock=behind";
            ahead.registrations().register(key, fromAhead, true).join();
            behind.registrations().register(key, fromBehind, true).join();

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
        try (RespClient raw = redis.client(); Engines engines = new Engines()) {
            RegistryEngine engine = engines.open(settings("grace"));
            long grace = engine.timings().reapGrace().toMillis();
            String key = "/grace/com.foo.Old/providers";
            String slowClock = "dubbo://10.0.0.1:20880/com.foo.Old?interface=com.foo.Old&writer=slow";
            String dead = "dubbo://10.0.0.2:20880/com.foo.Old?interface=com.foo.Old&writer=dead";
            String permanent = "dubbo://10.0.0.3:20880/com.foo.Old?interface=com.foo.Old&dynamic=false";
            long now = redisNow(raw);
            raw.call("HSET", key, slowClock, Long.toString(now - grace / 2), dead, Long.toString(now - grace * 2),
                    permanent, Long.toString(now - grace * 100));

            assertThat(engine.maintenance().sweepNow().join()).isEqualTo(1);
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
            registry.engine().maintenance().sweepNow().join();
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
            registry.engine().maintenance().renewNow().join();
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
