package io.github.dubboredis.hostile;

import static io.github.dubboredis.support.Registries.url;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.dubbo.common.URL;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.github.dubboredis.dubbo.RedisRegistry;
import io.github.dubboredis.internal.model.Keyspace;
import io.github.dubboredis.support.LogCapture;
import io.github.dubboredis.support.Notifications;
import io.github.dubboredis.support.Registries;
import io.github.dubboredis.testkit.RedisPerClass;
import io.github.dubboredis.testkit.RespClient;

/**
 * Finding 3 of issue 13: the registry's own keys were single points of failure. A string at the lease index
 * failed every register with a bare WRONGTYPE; a hash at the data marker kept every registry from starting; a
 * marker rewritten every 500 ms kept unregistered and dead providers at consumers for as long as it went on;
 * a sweep lock without TTL stopped sweeping for good; 600 bad lease members stretched a dead provider's
 * removal to 22.9 s (session 20 s); and a lease member with a newline made registries delete and announce
 * outside their root. Each test here writes one kind of such damage and checks what the registry does.
 */
class OwnKeysTamperedTest {

    private static final long SESSION = 4000;

    @RegisterExtension
    static final RedisPerClass redis = new RedisPerClass();

    private static Keyspace keyspace(String group) {
        return new Keyspace("/" + group + "/");
    }

    private static String parameters(String group) {
        return "session=" + SESSION + "&group=" + group;
    }

    private static URL provider(RedisRegistry registry, String service, int n) {
        return url(registry, "dubbo://10.0.0." + n + ":20880/" + service + "?interface=" + service);
    }

    private static URL consumerOf(RedisRegistry registry, String service) {
        return url(registry, "consumer://10.0.0.99/" + service + "?interface=" + service + "&category=providers");
    }

    /** Wrong types at every key of the registry's own: each is named in the log and replaced; nothing fails. */
    @Test
    void ownKeysOfTheWrongTypeAreNamedAndReplacedWhileRegistriesStartAndRegister() {
        String group = "wrongtype";
        Keyspace keyspace = keyspace(group);
        String service = "com.foo.Own";
        try (RespClient raw = HostileRedis.client(redis.server()); Registries registries = new Registries();
                LogCapture log = new LogCapture()) {
            raw.call("SET", keyspace.ownersKey(), "not a sorted set");
            raw.call("HSET", keyspace.epochKey(), "not", "a string");
            raw.call("HSET", keyspace.sweepLockKey(), "not", "a string");

            RedisRegistry provider = registries.create(redis.address(), parameters(group));
            RedisRegistry consumer = registries.create(redis.address(), parameters(group) + "&application=consumer");
            URL first = provider(provider, service, 1);
            provider.register(first);
            Notifications heard = new Notifications();
            consumer.subscribe(consumerOf(consumer, service), heard);
            assertThat(heard.current(service, "providers")).containsExactly(first);
            provider.engine().maintenance().sweepIfElectedNow().join(); // takes the lock, unless a periodic sweep did
            await().atMost(Duration.ofSeconds(10)).until(() -> "string".equals(raw.string("TYPE", keyspace.sweepLockKey())));

            // While running: the owner's key set, the owners set again, a key's change sequence.
            String ownerId = provider.engine().registrations().ownerId();
            raw.call("SET", keyspace.ownerKeysKey(ownerId), "not a set");
            raw.call("SET", keyspace.ownersKey(), "not a sorted set either");
            String sequence = "dubbo-redis:{/" + group + "/" + service + "/providers}:seq";
            raw.call("DEL", sequence);
            raw.call("HSET", sequence, "not", "a sequence");
            URL second = provider(provider, service, 2);
            provider.register(second);
            provider.register(provider(provider, "com.foo.OwnToo", 3)); // a new key: its name goes into the key set
            provider.unregister(first);
            await().atMost(Duration.ofSeconds(10)).until(() -> heard.current(service, "providers").equals(List.of(second)));
            provider.engine().maintenance().renewNow().join();
            assertThat(raw.string("TYPE", keyspace.ownersKey())).isEqualTo("zset");
            assertThat(raw.string("TYPE", keyspace.ownerKeysKey(ownerId))).isEqualTo("set");
            assertThat(raw.number("SISMEMBER", keyspace.ownerKeysKey(ownerId), "/" + group + "/com.foo.OwnToo/providers")).isOne();

            // A dead owner whose reap claim someone overwrote: reaped all the same.
            String dead = "deadOwnerWithABadClaimA";
            String deadKey = "/" + group + "/" + service + "/providers";
            String expiry = Long.toString(HostileRedis.redisNow(raw) - 500);
            raw.call("ZADD", keyspace.ownersKey(), expiry, dead);
            raw.call("SADD", keyspace.ownerKeysKey(dead), deadKey);
            raw.call("HSET", deadKey, provider(provider, service, 4).toFullString(), expiry);
            raw.call("HSET", keyspace.reapClaimKey(dead), "not", "a string");
            provider.engine().maintenance().reapNow().join(); // unless a periodic reap did it first
            await().atMost(Duration.ofSeconds(10)).until(() -> raw.number("HLEN", deadKey) == 1);

            for (String key : List.of(keyspace.ownersKey(), keyspace.epochKey(), keyspace.sweepLockKey(),
                    keyspace.ownerKeysKey(ownerId), keyspace.reapClaimKey(dead))) {
                assertThat(log.lines()).as("a warning naming %s", key)
                        .anyMatch(l -> l.startsWith("WARN") && l.contains("'" + key + "'") && l.contains("replaced"));
            }
            assertThat(log.lines()).noneMatch(l -> l.startsWith("ERROR"));
            assertThat(log.lines()).noneMatch(l -> l.contains("(unnamed)"));
        }
    }

    /** A lock left without a TTL, or with one far longer than any registry sets, stops sweeping for one lock period at most. */
    @Test
    void aSweepLockWithoutOrWithAnEndlessTtlIsRepairedAndSweepingGoesOn() {
        String group = "lock";
        Keyspace keyspace = keyspace(group);
        String key = "/" + group + "/com.foo.Lock/providers";
        try (RespClient raw = HostileRedis.client(redis.server()); Registries registries = new Registries();
                LogCapture log = new LogCapture()) {
            RedisRegistry registry = registries.create(redis.address(), parameters(group) + "&reap.grace=0");
            long lockMillis = SESSION / 2 * 9 / 10;
            for (String[] setLock : List.of(new String[] {"SET", keyspace.sweepLockKey(), "forever"},
                    new String[] {"SET", keyspace.sweepLockKey(), "for a day", "PX", "86400000"})) {
                raw.call(setLock);
                raw.call("HSET", key, "dubbo://10.0.0.1:20880/com.foo.Lock?interface=com.foo.Lock", "1000"); // long expired
                assertThat(registry.engine().maintenance().sweepIfElectedNow().join()).as("not elected: the lock is held").isEqualTo(-1);
                assertThat(raw.number("PTTL", keyspace.sweepLockKey())).isBetween(1L, lockMillis);
                // The registry's own periodic sweep gets it once the repaired lock expires.
                await().atMost(Duration.ofMillis(lockMillis + SESSION * 2)).until(() -> raw.number("EXISTS", key) == 0);
            }
            assertThat(log.lines()).filteredOn(l -> l.contains("'" + keyspace.sweepLockKey() + "'"))
                    .singleElement().satisfies(l -> assertThat(l).contains("no TTL"));
        }
    }

    /**
     * The data marker rewritten every 250 ms. A change this registry writes is applied from its change record, without
     * a read, so the marker does not touch it. A change of an older registry (HDEL, PUBLISH unregister) is read, and the
     * read sees the marker changed: consumers hold removals for one recovery hold (session / 2), then take them again
     * for a cooldown (a session) before another hold can start. So such an unregistered provider is gone within a hold,
     * and the log says "lost its data" once per hold and cooldown, however long the flipping goes on.
     */
    @Test
    void aFlippingDataMarkerHoldsRemovalsBackForOneBoundedHoldOnly() throws Exception {
        String group = "flip";
        Keyspace keyspace = keyspace(group);
        String service = "com.foo.Flip";
        String key = "/" + group + "/" + service + "/providers";
        try (RespClient raw = HostileRedis.client(redis.server()); RespClient flipper = HostileRedis.client(redis.server());
                Registries registries = new Registries(); LogCapture log = new LogCapture()) {
            RedisRegistry provider = registries.create(redis.address(), parameters(group));
            RedisRegistry consumer = registries.create(redis.address(), parameters(group) + "&application=consumer");
            URL staying = provider(provider, service, 1);
            URL ours = provider(provider, service, 2);
            provider.register(staying);
            provider.register(ours);
            // Two entries as an older registry writes them (its own clock, an hour ahead).
            String olderA = provider(provider, service, 3).toFullString();
            String olderB = provider(provider, service, 4).toFullString();
            String future = Long.toString(HostileRedis.redisNow(raw) + 3_600_000);
            raw.call("HSET", key, olderA, future, olderB, future);
            raw.call("PUBLISH", key, "register");
            Notifications heard = new Notifications();
            consumer.subscribe(consumerOf(consumer, service), heard);
            await().atMost(Duration.ofSeconds(5)).until(() -> heard.current(service, "providers").size() == 4);

            AtomicBoolean flipping = new AtomicBoolean(true);
            long flipMillis = SESSION * 3;
            CompletableFuture<Integer> flips = CompletableFuture.supplyAsync(() -> {
                int n = 0;
                for (long end = System.nanoTime() + flipMillis * 1_000_000; flipping.get() && System.nanoTime() < end && n < 200; n++) {
                    flipper.call("SET", keyspace.epochKey(), UUID.randomUUID().toString());
                    java.util.concurrent.locks.LockSupport.parkNanos(250_000_000L);
                }
                return n;
            });
            long[] gone = new long[3];
            try {
                long t0 = System.nanoTime();
                provider.unregister(ours);
                await().atMost(Duration.ofSeconds(5)).until(() -> heard.current(service, "providers").size() == 3);
                gone[0] = (System.nanoTime() - t0) / 1_000_000;
                for (int i = 1; i <= 2; i++) {
                    t0 = System.nanoTime();
                    raw.call("HDEL", key, i == 1 ? olderA : olderB);
                    raw.call("PUBLISH", key, "unregister");
                    int left = 3 - i;
                    await().atMost(Duration.ofMillis(SESSION / 2 + SESSION)).until(() ->
                            heard.current(service, "providers").size() == left);
                    gone[i] = (System.nanoTime() - t0) / 1_000_000;
                }
                assertThat(flips).as("the flipping was still going on").isNotDone();
            } finally {
                flipping.set(false);
            }
            assertThat(heard.current(service, "providers")).containsExactly(staying);
            System.out.printf("while the marker flipped every 250 ms, unregistered providers were gone from the consumer "
                    + "after %d ms (ours), %d ms and %d ms (an older registry's; recovery hold %d ms)%n", gone[0], gone[1],
                    gone[2], SESSION / 2);
            int n = flips.get();
            // One warning per hold + cooldown (session / 2 + session) at most, per registry (two here).
            long bound = 2 * (flipMillis / (SESSION / 2 + SESSION) + 1);
            assertThat(log.count("lost its data")).as("after %d flips", n).isBetween(1L, bound);
        }
    }

    /**
     * Garbage in the owners set and in a dead owner's record: members that are not owner ids are dropped in one
     * command; 600 owner ids without records (expiring just after the real one) cost no reaping pass; entries
     * whose value is not the lease's stay; names outside the root are never deleted nor announced; and the dead
     * owner's entry is gone within the session.
     */
    @Test
    void garbageLeasesAreDroppedNeverActedOnOutsideTheRootAndDelayNoRemovalPastTheSession() throws Exception {
        String group = "leases";
        Keyspace keyspace = keyspace(group);
        String service = "com.foo.Dead";
        String key = "/" + group + "/" + service + "/providers";
        try (RespClient raw = HostileRedis.client(redis.server()); RespClient listener = HostileRedis.client(redis.server());
                Registries registries = new Registries(); LogCapture log = new LogCapture()) {
            // A grace beyond the test: the sweep must not be the one that removes the dead owner's entry.
            RedisRegistry registry = registries.create(redis.address(), parameters(group) + "&reap.grace=600000");
            // The consumer's own reaper (every 5 s with this session) stays out of the way: one reaper, as the finding had.
            RedisRegistry consumer = registries.create(redis.address(), "session=600000&group=" + group + "&application=consumer");
            Notifications heard = new Notifications();
            consumer.subscribe(consumerOf(consumer, service), heard);

            long expiry = HostileRedis.redisNow(raw) + 2500;
            String deadOwner = "theRealDeadOwnerAaaaaa";
            String deadUrl = provider(registry, service, 66).toFullString();
            List<String[]> scene = new ArrayList<>();
            scene.add(new String[] {"ZADD", keyspace.ownersKey(), Long.toString(expiry), deadOwner});
            // Outside the root, with a field and a value a reaper would take: never touched.
            scene.add(new String[] {"HSET", "myapp:config", "ts", Long.toString(expiry)});
            scene.add(new String[] {"SADD", keyspace.ownerKeysKey(deadOwner), key, "myapp:config\nts", "myapp:config",
                "/" + group + "/x", "/" + group + "/../etc/providers/x", "dubbo-redis:/" + group + "/:owners"});
            for (int i = 0; i < 600; i++) {
                // Entries beside the dead owner's whose values are not its lease: not its entries, left alone.
                scene.add(new String[] {"HSET", key, "dubbo://10.9.0." + i + ":1/" + service + "?interface=" + service,
                    Long.toString(expiry + 1 + i)});
                // Members that are not owner ids, and owner ids without a record, all expiring just after the real one.
                scene.add(new String[] {"ZADD", keyspace.ownersKey(), Long.toString(expiry + 1 + i % 500), "x:" + i + "\nforged"});
                scene.add(new String[] {"ZADD", keyspace.ownersKey(), Long.toString(expiry + 1 + i % 500),
                    String.format("fakeOwnerWithoutARecord%04d", i)});
            }
            scene.add(new String[] {"HSET", key, deadUrl, Long.toString(expiry)});
            scene.add(new String[] {"PUBLISH", key, "register"});
            raw.pipeline(scene);
            await().atMost(Duration.ofSeconds(2)).until(() -> heard.current(service, "providers").stream()
                    .anyMatch(u -> u.toFullString().equals(deadUrl)));
            listener.send("SUBSCRIBE", "myapp:config", "myapp:config\nts");
            listener.read();
            listener.read();

            long waitMillis = expiry - HostileRedis.redisNow(raw) + SESSION;
            await().atMost(Duration.ofMillis(waitMillis)).until(() ->
                    heard.current(service, "providers").stream().noneMatch(u -> u.toFullString().equals(deadUrl)));
            System.out.printf("dead owner's entry gone from the consumer %d ms after its lease expired (session %d ms), "
                    + "behind 600 garbage members and 600 owner ids without records%n", HostileRedis.redisNow(raw) - expiry, SESSION);

            await().atMost(Duration.ofMillis(SESSION * 2)).until(() -> raw.number("ZCARD", keyspace.ownersKey()) <= 1);
            assertThat(raw.number("HLEN", key)).as("entries whose value is not the lease's stay").isEqualTo(600);
            assertThat(raw.hgetall("myapp:config")).containsKey("ts");
            // Nothing was announced outside the root: the first message the listener gets is this one.
            raw.call("PUBLISH", "myapp:config", "sentinel");
            assertThat(listener.read()).isEqualTo(List.of("message", "myapp:config", "sentinel"));
            assertThat(log.lines()).anyMatch(l -> l.contains("names 'myapp:config\\nts', which is not a key of this registry"));
            assertThat(log.lines()).anyMatch(l -> l.contains("not owner ids of this registry") && l.contains("\\nforged"));
            assertThat(log.lines()).noneMatch(l -> l.contains("\nforged") || l.contains("config\nts"));
        }
    }
}
