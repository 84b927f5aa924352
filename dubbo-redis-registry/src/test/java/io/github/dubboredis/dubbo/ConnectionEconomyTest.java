package io.github.dubboredis.dubbo;

import static io.github.dubboredis.support.Registries.url;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.apache.dubbo.common.URL;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.github.dubboredis.support.Notifications;
import io.github.dubboredis.support.Registries;
import io.github.dubboredis.testkit.RedisPerClass;
import io.github.dubboredis.testkit.RespClient;
import io.github.dubboredis.testkit.TcpProxy;

/**
 * One command connection and one pub/sub connection, whatever the number of subscribed services; a
 * bounded number of threads; and bursts of announcements folded into few reads. (The older registry
 * held one thread and one pooled connection per subscribed service.)
 */
class ConnectionEconomyTest {

    @RegisterExtension
    static final RedisPerClass redis = new RedisPerClass();

    private static final String BURST_KEY = "/burst/com.foo.Burst/providers";

    private static List<String> ourConnections(RespClient raw) {
        List<String> ours = new ArrayList<>();
        for (String line : raw.string("CLIENT", "LIST").split("\n")) {
            if (line.contains("name=dubbo-redis-registry")) {
                ours.add(line);
            }
        }
        return ours;
    }

    @Test
    void aThousandSubscribedServicesUseOnePubSubConnectionAndFewThreads() {
        try (Registries registries = new Registries(); RespClient raw = redis.client()) {
            RedisRegistry registry = registries.create(redis.address(), "group=economy");
            Notifications warmUp = new Notifications();
            registry.subscribe(url(registry, "consumer://10.0.0.1/com.foo.Warm?interface=com.foo.Warm&category=providers"), warmUp);
            int threadsBefore = Thread.activeCount();

            List<Notifications> listeners = new ArrayList<>();
            long started = System.nanoTime();
            for (int i = 0; i < 1000; i++) {
                Notifications n = new Notifications();
                listeners.add(n);
                registry.subscribe(url(registry, "consumer://10.0.0.1/com.foo.S" + i + "?interface=com.foo.S" + i
                        + "&category=providers,configurators,routers"), n);
            }
            long tookMillis = (System.nanoTime() - started) / 1_000_000;
            int threadsAfter = Thread.activeCount();

            List<String> connections = ourConnections(raw);
            System.out.printf("1000 services subscribed in %d ms; threads %d -> %d; connections:%n  %s%n",
                    tookMillis, threadsBefore, threadsAfter, String.join("\n  ", connections));
            assertThat(connections).hasSize(2);
            assertThat(connections).filteredOn(c -> c.contains(" sub=3001 ")).hasSize(1);
            assertThat(threadsAfter - threadsBefore).as("threads added by 1000 subscriptions").isLessThanOrEqualTo(2);
            assertThat(listeners).allSatisfy(n -> assertThat(n.count()).isEqualTo(3));

            RedisRegistry providerSide = registries.create(redis.address(), "group=economy");
            URL p = url(providerSide, "dubbo://10.0.0.2:20880/com.foo.S500?interface=com.foo.S500");
            providerSide.register(p);
            await().atMost(Duration.ofSeconds(5)).until(() -> listeners.get(500).current("com.foo.S500", "providers").equals(List.of(p)));
            assertThat(ourConnections(raw)).as("a second registry on the same Redis shares the connections").hasSize(2);
        }
    }

    /*
     * How many reads a burst costs in wall-clock terms depends on how fast this JVM drains it: a pause
     * (GC, a busy CI core) in mid-burst can split it into more follow-ups (3 reads with one of two cores
     * busy, 16 with both). The two tests below therefore fix the order of events instead of hoping for
     * speed: they hold the registry's one thread while announcements queue up behind it, and hold the
     * read itself in flight (requests stalled in a proxy, pub/sub still flowing). Then the counts are exact.
     */

    @Test
    void announcementsQueuedBehindEachOtherAreFoldedIntoOneRead() {
        try (Registries registries = new Registries(); RespClient raw = redis.client()) {
            RedisRegistry registry = registries.create(redis.address(), "group=burst&resync.period=600000");
            Notifications heard = subscribeToBurst(registry);
            long readsBefore = hgetallCalls(raw);
            try (HeldThread held = new HeldThread(registry)) {
                raw.pipeline(announcements(200));
                held.awaitQueued(200);
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> heard.current("com.foo.Burst", "providers").size() == 1);
            assertThat(readsAfterSettling(raw, readsBefore, 1)).as("reads for 200 queued announcements").isEqualTo(1);
        }
    }

    @Test
    void announcementsArrivingWhileAReadIsInFlightCauseExactlyOneFollowUp() {
        try (Registries registries = new Registries(); RespClient raw = redis.client();
                TcpProxy proxy = new TcpProxy("127.0.0.1", redis.server().port())) {
            RedisRegistry registry = registries.create(proxy.address(), "group=burst&resync.period=600000");
            Notifications heard = subscribeToBurst(registry);
            long readsBefore = hgetallCalls(raw);
            proxy.stallRequests();
            try (HeldThread held = new HeldThread(registry)) {
                raw.pipeline(announcements(1));
                held.awaitQueued(1);
            }
            // That announcement's read is now sent and held in the proxy. The rest of the burst arrives
            // meanwhile, in three parts each taken in on its own: none may start a read of its own.
            for (int part : new int[] {66, 66, 67}) {
                try (HeldThread held = new HeldThread(registry)) {
                    raw.pipeline(announcements(part));
                    held.awaitQueued(part);
                }
            }
            new HeldThread(registry).close(); // every announcement has been taken in
            assertThat(hgetallCalls(raw)).as("no read reached Redis while requests were held").isEqualTo(readsBefore);
            proxy.heal();
            await().atMost(Duration.ofSeconds(5)).until(() -> heard.current("com.foo.Burst", "providers").size() == 1);
            assertThat(readsAfterSettling(raw, readsBefore, 2)).as("the read in flight and one follow-up").isEqualTo(2);
        }
    }

    private static Notifications subscribeToBurst(RedisRegistry registry) {
        Notifications heard = new Notifications();
        registry.subscribe(url(registry, "consumer://10.0.0.1/com.foo.Burst?interface=com.foo.Burst&category=providers"), heard);
        await().atMost(Duration.ofSeconds(5)).until(() -> heard.count() == 1); // the first read is done
        try (RespClient raw = redis.client()) {
            raw.call("HSET", BURST_KEY, "dubbo://10.0.0.2:20880/com.foo.Burst?interface=com.foo.Burst",
                    Long.toString(System.currentTimeMillis() + 60_000));
        }
        return heard;
    }

    private static List<String[]> announcements(int count) {
        List<String[]> burst = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            burst.add(new String[] {"PUBLISH", BURST_KEY, "register"});
        }
        return burst;
    }

    /** The reads since {@code before}, once they reached {@code expected} and then stayed put for a while. */
    private static long readsAfterSettling(RespClient raw, long before, long expected) {
        await().atMost(Duration.ofSeconds(5)).until(() -> hgetallCalls(raw) - before >= expected);
        await().pollDelay(Duration.ofMillis(300)).atMost(Duration.ofSeconds(1)).until(() -> true);
        long reads = hgetallCalls(raw) - before;
        System.out.printf("reads: %d%n", reads);
        return reads;
    }

    /**
     * Holds the store's one thread (the registry's "engine thread") until closed, so that what arrives
     * meanwhile queues up behind it and is then handled back to back.
     */
    private static final class HeldThread implements AutoCloseable {
        private final ThreadPoolExecutor executor;
        private final CountDownLatch release = new CountDownLatch(1);
        private final int queuedBefore;

        HeldThread(RedisRegistry registry) {
            executor = (ThreadPoolExecutor) registry.engine().storeForTools().executor();
            CountDownLatch holding = new CountDownLatch(1);
            executor.execute(() -> {
                holding.countDown();
                awaitQuietly(release);
            });
            awaitQuietly(holding);
            // Periodic tasks sit in this queue too, but none is added while the thread is held.
            queuedBefore = executor.getQueue().size();
        }

        void awaitQueued(int tasks) {
            await().atMost(Duration.ofSeconds(10)).until(() -> executor.getQueue().size() >= queuedBefore + tasks);
        }

        @Override
        public void close() {
            release.countDown();
        }

        private static void awaitQuietly(CountDownLatch latch) {
            try {
                assertThat(latch.await(10, TimeUnit.SECONDS)).isTrue();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    private static long hgetallCalls(RespClient raw) {
        String stats = raw.info("commandstats", "cmdstat_hgetall");
        return stats == null ? 0 : Long.parseLong(stats.replaceFirst("^calls=(\\d+),.*$", "$1"));
    }
}
