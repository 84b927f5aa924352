package io.github.dubboredis.hostile;

import static io.github.dubboredis.support.Registries.url;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.apache.dubbo.common.URL;
import org.junit.jupiter.api.Test;

import io.github.dubboredis.dubbo.RedisRegistry;
import io.github.dubboredis.support.LogCapture;
import io.github.dubboredis.support.Notifications;
import io.github.dubboredis.support.Registries;
import io.github.dubboredis.testkit.RedisServer;
import io.github.dubboredis.testkit.RespClient;

/**
 * Finding 2 of issue 13: a 2,000,000-entry watched key was read with one HGETALL that outlasted 'timeout', so
 * subscribing never succeeded, was retried forever at 50-70% of a core, and the good entries never reached the
 * consumer. Now a key is read in HSCAN pages (each far inside the timeout), and a key over
 * {@code key.max-entries} (100,000 by default) is refused after its first page: said once, naming the key and
 * the limit, and read again only when something asks (an announcement, anti-entropy), never in a loop; every
 * other key keeps working.
 */
class HugeWatchedKeyTest {

    private static final String HUGE = "/dubbo/com.foo.Huge/providers";
    private static final String PAGED = "/dubbo/com.foo.Paged/providers";
    private static final int HUGE_SIZE = 1_000_000;
    private static final int PAGED_SIZE = 30_000;

    @Test
    void aMillionEntryKeyIsRefusedOnceByNameWhileKeysReadInPagesAndEveryOtherKeyWork() {
        try (RedisServer redis = RedisServer.startDefault(); RespClient raw = HostileRedis.client(redis);
                Registries registries = new Registries(); LogCapture log = new LogCapture()) {
            String future = Long.toString(HostileRedis.redisNow(raw) + 3_600_000);
            HostileRedis.fillHash(raw, HUGE, 0, HUGE_SIZE, "dubbo://10.%d:20880/com.foo.Huge?interface=com.foo.Huge", future);
            HostileRedis.fillHash(raw, PAGED, 0, PAGED_SIZE, "dubbo://10.%d:20880/com.foo.Paged?interface=com.foo.Paged", future);
            // Long sessions keep the sweep (which walks every key) out of the counts; the test triggers the rest.
            RedisRegistry provider = registries.create(redis.address(), "session=600000");
            URL small = url(provider, "dubbo://10.0.0.1:20880/com.foo.Small?interface=com.foo.Small");
            provider.register(small);

            // Below the limit but far beyond a page, with a short timeout: read page by page, delivered whole.
            RedisRegistry pagedConsumer = registries.create(redis.address(), "session=600000&timeout=1000&application=paged");
            Notifications paged = new Notifications();
            long hscans = HostileRedis.calls(raw, "hscan");
            pagedConsumer.subscribe(url(pagedConsumer, "consumer://10.0.0.9/com.foo.Paged?interface=com.foo.Paged"
                    + "&category=providers"), paged);
            assertThat(paged.current("com.foo.Paged", "providers")).hasSize(PAGED_SIZE);
            assertThat(HostileRedis.calls(raw, "hscan") - hscans).as("HSCAN pages").isGreaterThanOrEqualTo(PAGED_SIZE / 1000);
            pagedConsumer.destroy();

            // Over the limit: subscribe returns (nothing for Dubbo to retry), the other keys are delivered.
            RedisRegistry consumer = registries.create(redis.address(), "session=600000&application=consumer");
            Notifications heard = new Notifications();
            consumer.subscribe(url(consumer, "consumer://10.0.0.9/com.foo.Huge?interface=com.foo.Huge&category=providers"), heard);
            consumer.subscribe(url(consumer, "consumer://10.0.0.9/com.foo.Small?interface=com.foo.Small&category=providers"), heard);
            assertThat(heard.current("com.foo.Small", "providers")).containsExactly(small);
            assertThat(heard.heard("com.foo.Huge", "providers")).as("not delivered, not even as empty").isFalse();

            // Everything that makes a key be read again: a flood of announcements, anti-entropy passes.
            hscans = HostileRedis.calls(raw, "hscan");
            List<String[]> flood = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                flood.add(new String[] {"PUBLISH", HUGE, "register"});
            }
            raw.pipeline(flood);
            for (int i = 0; i < 3; i++) {
                consumer.engine().maintenance().resyncNow("test").join();
            }
            URL another = url(provider, "dubbo://10.0.0.2:20880/com.foo.Small?interface=com.foo.Small");
            provider.register(another);
            await().atMost(Duration.ofSeconds(10)).until(() -> heard.current("com.foo.Small", "providers").size() == 2);
            long reads = HostileRedis.calls(raw, "hscan") - hscans;
            // The flood folds into a few reads, each resync reads each key once, and a refused key's read is one
            // page: a few dozen pages at most, where the older registry made 1,000 HGETALLs of a million entries.
            assertThat(reads).as("HSCAN pages for 1,000 announcements and 3 resyncs").isLessThan(50);

            // Never a retry loop: once nothing asks, nothing reads.
            long settled = HostileRedis.calls(raw, "hscan");
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
                    .until(() -> HostileRedis.calls(raw, "hscan") == settled);

            assertThat(log.lines()).filteredOn(l -> l.contains(HUGE)).singleElement().satisfies(l -> assertThat(l)
                    .contains("holds " + HUGE_SIZE + " entries, more than 100000 (setting 'key.max-entries')"));
            System.out.printf("1,000 announcements and 3 resyncs of a refused %d-entry key: %d HSCAN pages%n", HUGE_SIZE, reads);
        }
    }
}
