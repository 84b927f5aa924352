package io.github.dubboredis.hostile;

import static io.github.dubboredis.support.Registries.url;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.github.dubboredis.dubbo.RedisRegistry;
import io.github.dubboredis.support.LogCapture;
import io.github.dubboredis.support.Notifications;
import io.github.dubboredis.support.Registries;
import io.github.dubboredis.testkit.RedisPerClass;
import io.github.dubboredis.testkit.RespClient;

/**
 * Finding 4 of issue 13: 20,000 unparsable entries in one key made 140,000 WARN lines (78 MB) in 17 s, again at
 * every resync; field bytes reached the log raw and uncut (NUL, CR/LF, ESC: forged log lines; 1 MB lines); an
 * admin under 200,000 publishes on junk channel names logged 100,000 warnings, made 83,737 reads, and its heap
 * grew from 13 to 126 MB for good. Now bad data is summarised once per key and reason, at most ten reports a
 * minute with a count of the rest; everything from Redis is escaped and cut; an admin keeps no state for keys
 * that do not exist.
 */
class LogFloodTest {

    @RegisterExtension
    static final RedisPerClass redis = new RedisPerClass();

    /** The registry's own log lines (Dubbo's and the clients' are not ours to shape). */
    private static List<String> ours(LogCapture log) {
        return log.lines().stream().filter(l -> l.contains(" io.github.dubboredis.")).toList();
    }

    @Test
    void twentyThousandUnreadableEntriesAreOneLinePerKeyAndReasonHoweverOftenTheyAreRead() {
        String key = "/garbage/com.foo.Flood/providers";
        try (RespClient raw = HostileRedis.client(redis.server()); Registries registries = new Registries();
                LogCapture log = new LogCapture()) {
            HostileRedis.fillHash(raw, key, 0, 10_000, "dubbo://10.%d:1/com.foo.Flood?interface=com.foo.Flood", "soon");
            String future = Long.toString(HostileRedis.redisNow(raw) + 3_600_000);
            HostileRedis.fillHash(raw, key, 0, 10_000, "not a url %d", future);
            raw.call("HSET", key, "dubbo://10.0.0.1:20880/com.foo.Flood?interface=com.foo.Flood", future);
            // And 2,000 more keys with garbage: the rate bound, not the per-key memory, keeps those few.
            List<String[]> keys = new ArrayList<>();
            for (int i = 0; i < 2000; i++) {
                keys.add(new String[] {"HSET", "/garbage/com.foo.Flood" + i + "/providers", "dubbo://10.0.0.1:1/x?i=" + i, "soon"});
            }
            raw.pipeline(keys);

            RedisRegistry consumer = registries.create(redis.address(), "group=garbage");
            Notifications heard = new Notifications();
            consumer.subscribe(url(consumer, "consumer://10.0.0.9/com.foo.Flood?interface=com.foo.Flood&category=providers"), heard);
            assertThat(heard.current("com.foo.Flood", "providers")).hasSize(1);
            RedisRegistry admin = registries.create(redis.address(), "group=garbage&application=admin");
            admin.subscribe(url(admin, "admin://10.0.0.9/*?interface=*&group=*&version=*&classifier=*&category=*&check=false"),
                    new Notifications());
            for (int i = 0; i < 5; i++) {
                consumer.engine().maintenance().resyncNow("test").join();
                admin.engine().maintenance().resyncNow("test").join();
                raw.call("PUBLISH", key, "register");
            }
            // Ten reports a minute: the count of the rest goes out when the minute allows (not waited for here).
            await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(15)).until(() -> log.lines().size(), n -> true);

            List<String> lines = ours(log).stream().filter(l -> l.startsWith("WARN")).toList();
            System.out.printf("20,000 unreadable entries in one key and 2,000 keys of garbage, read 12 times: %d WARN lines%n",
                    lines.size());
            // Per registry: one line per reason for the big key, ten reports a minute in all, and the count of the rest.
            assertThat(lines.stream().filter(l -> l.contains("'" + key + "'"))).hasSizeBetween(2, 4)
                    .anySatisfy(l -> assertThat(l).contains("Skipping 10000 unreadable entries").contains("expiry is not"))
                    .anySatisfy(l -> assertThat(l).contains("Skipping 10000 unreadable entries").contains("not a URL"));
            assertThat(lines).hasSizeLessThanOrEqualTo(2 * (10 + 1) + 4);
        }
    }

    @Test
    void whatRedisHoldsReachesTheLogEscapedAndCut() {
        String key = "/escape/com.foo.Esc/providers";
        String forging = "dubbo://10.0.0.1:20880/com.foo.Esc?interface=com.foo.Esc&x=\u0000\u0007\u001b]0;pwned\u0007"
                + "\u001b[2J\r\n12:00:00.000 ERROR [main] forged - the registry is compromised";
        String huge = "dubbo://10.0.0.2:20880/com.foo.Esc?interface=com.foo.Esc&pad=" + "A".repeat(1 << 20);
        String evilKey = "/escape/com.foo.Esc\r\nFORGED\u001b[31m/providers";
        try (RespClient raw = HostileRedis.client(redis.server()); Registries registries = new Registries();
                LogCapture log = new LogCapture()) {
            raw.call("HSET", key, forging, "soon\r\nforged");
            raw.call("HSET", "/escape/com.foo.Huge/providers", huge, "\u001b[2J");
            raw.call("HSET", evilKey, forging, "soon");
            raw.call("SET", "/escape/\u0007\u001b[2Jnot-a-hash\r\n", "x");
            RedisRegistry consumer = registries.create(redis.address(), "group=escape");
            consumer.subscribe(url(consumer, "consumer://10.0.0.9/com.foo.Esc?interface=com.foo.Esc&category=providers"),
                    new Notifications());
            consumer.subscribe(url(consumer, "consumer://10.0.0.9/com.foo.Huge?interface=com.foo.Huge&category=providers"),
                    new Notifications());
            RedisRegistry admin = registries.create(redis.address(), "group=escape&application=admin");
            admin.subscribe(url(admin, "admin://10.0.0.9/*?interface=*&group=*&version=*&classifier=*&category=*&check=false"),
                    new Notifications());
            raw.call("PUBLISH", "/escape/\u001b]0;title\u0007\r\nFORGED", "register");
            raw.call("PUBLISH", "/escape/" + "B".repeat(1 << 20), "register");
            await().atMost(Duration.ofSeconds(10)).until(() -> log.count("FORGED") >= 2 && log.count("not-a-hash") >= 1
                    && log.count("BBBBBBBB") >= 1);

            List<String> lines = ours(log);
            assertThat(lines).isNotEmpty();
            for (String line : lines) {
                String message = line.split("\n", 2)[0]; // a stack trace, if any, is the logger's
                assertThat(message).as("escaped: %s", message).doesNotContainPattern("[\\x00-\\x1f\\x7f]");
                assertThat(message.length()).as("cut: %.200s", message).isLessThan(3000);
            }
            assertThat(String.join("\n", lines)).contains("\\x1b]0;pwned\\x07").contains("\\r\\n12:00:00.000 ERROR")
                    .contains("(" + huge.length() + " chars)").doesNotContain("A".repeat(400)).doesNotContain("B".repeat(400));
        }
    }

    @Test
    void anAdminUnderAFloodOfJunkPublishesDoesBoundedWorkAndKeepsNoStateForThem() {
        try (RespClient raw = HostileRedis.client(redis.server()); Registries registries = new Registries();
                LogCapture log = new LogCapture()) {
            RedisRegistry admin = registries.create(redis.address(), "group=junk&session=600000");
            Notifications heard = new Notifications();
            admin.subscribe(url(admin, "admin://10.0.0.9/*?interface=*&group=*&version=*&classifier=*&category=*&check=false"),
                    heard);
            RedisRegistry provider = registries.create(redis.address(), "group=junk&application=provider");
            long heapBefore = usedHeapAfterGc();
            long reads = HostileRedis.calls(raw, "hscan");
            long floodStarted = System.nanoTime();
            int published = 0;
            for (int chunk = 0; chunk < 20; chunk++) {
                List<String[]> flood = new ArrayList<>();
                for (int i = 0; i < 10_000; i++) {
                    int n = chunk * 10_000 + i;
                    // Half not of the form <service>/<category>, half of the form but no key there.
                    flood.add(new String[] {"PUBLISH", n % 2 == 0 ? "/junk/junk" + n : "/junk/com.junk" + n + "/providers", "register"});
                }
                raw.pipeline(flood);
                published += flood.size();
            }
            // The admin still hears real changes.
            provider.register(url(provider, "dubbo://10.0.0.1:20880/com.foo.Real?interface=com.foo.Real"));
            await().atMost(Duration.ofSeconds(60)).until(() -> heard.current("com.foo.Real", "providers").size() == 1);
            await().atMost(Duration.ofSeconds(30)).until(() -> admin.engine().subscriptions().watchedKeyCount() <= 1);
            reads = HostileRedis.calls(raw, "hscan") - reads;
            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - floodStarted) + 1;
            long heapAfter = usedHeapAfterGc();
            long warnings = ours(log).stream().filter(l -> l.startsWith("WARN")).count();
            System.out.printf("admin under %d junk publishes: %d WARN lines, %d reads in %d s, heap %d -> %d MB after GC%n",
                    published, warnings, reads, seconds, heapBefore >> 20, heapAfter >> 20);
            assertThat(warnings).as("warnings: ten reports a minute, and a start-up note per registry").isLessThanOrEqualTo(14);
            // The budget is a rate (1,000 new keys a second), so what it allows grows with how long this machine
            // takes to deliver the flood; one read per message would be 100,000 (the well-formed half).
            assertThat(reads).as("reads of keys that do not exist, in %d s", seconds)
                    .isLessThanOrEqualTo(1_000 * seconds + 100).isLessThan(50_000);
            assertThat(heapAfter - heapBefore).as("heap kept").isLessThan(32L << 20);
        }
    }

    private static long usedHeapAfterGc() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
