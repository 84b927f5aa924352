package io.github.dubboredis.it.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.github.dubboredis.demo.DubboApps;
import io.github.dubboredis.it.CallLoop;
import io.github.dubboredis.testkit.RedisServer;
import io.github.dubboredis.testkit.RespClient;
import io.github.dubboredis.testkit.TcpProxy;

/**
 * The network between one consumer and Redis fails (cut, stalled), messages get lost, Redis stalls:
 * through a TCP proxy in the test, with the applications calling throughout.
 */
class NetworkFaultTest extends FaultTestSupport {

    /**
     * Threads of the registry and its Redis client, and Dubbo's registry retry timer. (Dubbo's provider
     * pools grow with calls by design, up to 200 threads each, and are not the registry's.)
     */
    private static int registryThreads() {
        int n = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            String name = t.getName();
            if (name.startsWith("dubbo-redis") || name.startsWith("lettuce") || name.startsWith("DubboRegistry")) {
                n++;
            }
        }
        return n;
    }

    @Test
    void aConsumerCutOffForTenSecondsIsExactWithinOneResyncPeriodAfterHealing() throws Exception {
        RedisServer redis = closeLater(RedisServer.startDefault());
        TcpProxy proxy = closeLater(new TcpProxy(redis.host(), redis.port()));
        String direct = registry(redis.address(), "");
        provider("provider-a", direct);
        DubboApps.Provider leaving = provider("provider-b", direct);
        DubboApps.Consumer consumer = consumer("consumer", registry(proxy.address(), ""));
        CallLoop calls = closeLater(CallLoop.start(consumer.service(), 10, Duration.ofSeconds(90)));
        millisUntil(Duration.ofSeconds(10), () -> providersOf(consumer).size() == 2);

        proxy.cut();
        provider("provider-c", direct);
        leaving.close();
        Thread.sleep(10_000);
        assertThat(providersOf(consumer)).as("cut off, the consumer keeps what it knew").contains("provider-a");
        proxy.heal();
        long exact = millisUntil(Duration.ofSeconds(10), () -> providersOf(consumer).equals(Set.of("provider-a", "provider-c")));

        assertThat(exact).as("ms from healing to an exact list").isLessThanOrEqualTo(RESYNC_PERIOD);
        assertThat(calls.failures()).isEmpty();
        FaultReport.row("Consumer's connection to Redis cut for 10 s; a provider added and one removed meanwhile",
                "keeps its list while cut; reconnects with back-off, resubscribes and re-reads every watched key",
                "exact " + exact + " ms after healing (bound: one resync period, " + RESYNC_PERIOD + " ms)",
                calls.failures().size(), calls.calls(), "none");
    }

    @Test
    void aChangeWhoseMessageWasLostIsSeenWithinOneResyncPeriod() {
        RedisServer redis = closeLater(RedisServer.startDefault());
        String registry = registry(redis.address(), "");
        provider("provider-a", registry);
        DubboApps.Consumer consumer = consumer("consumer", registry);
        millisUntil(Duration.ofSeconds(10), () -> providersOf(consumer).size() == 1);
        try (RespClient raw = redis.client()) {
            // A provider whose announcement never came: written without PUBLISH (as if the writer died in between).
            String url = consumer.providerUrls().get(0).toFullString();
            String silent = "dubbo://127.0.0.1:1/io.github.dubboredis.demo.GreetingService?application=provider-silent"
                    + "&interface=io.github.dubboredis.demo.GreetingService&methods=greet&side=provider";
            assertThat(url).isNotEmpty();
            raw.call("HSET", PROVIDERS_KEY, silent, Long.toString(System.currentTimeMillis() + 600_000));
        }
        long seen = millisUntil(Duration.ofSeconds(10), () -> providersOf(consumer).contains("provider-silent"));
        assertThat(seen).as("ms until the unannounced provider was seen").isLessThanOrEqualTo(RESYNC_PERIOD + 2 * MEASURING_SLACK);
        FaultReport.row("A change whose pub/sub message was lost",
                "the periodic anti-entropy pass re-reads every watched key", "seen after " + seen + " ms (bound: one resync period, "
                        + RESYNC_PERIOD + " ms)", 0, 0, "none");
    }

    @Test
    void aMessageLostWhileTheSubscriberLinkWasCutIsHealedOnReconnect() throws Exception {
        RedisServer redis = closeLater(RedisServer.startDefault());
        TcpProxy proxy = closeLater(new TcpProxy(redis.host(), redis.port()));
        String direct = registry(redis.address(), "");
        provider("provider-a", direct);
        DubboApps.Consumer consumer = consumer("consumer", registry(proxy.address(), "resync.period=0"));
        millisUntil(Duration.ofSeconds(10), () -> providersOf(consumer).size() == 1);

        proxy.cut();                           // just for the publish
        provider("provider-b", direct);
        proxy.heal();
        long seen = millisUntil(Duration.ofSeconds(10), () -> providersOf(consumer).size() == 2);
        FaultReport.row("Subscriber link cut just for one publish (anti-entropy off)",
                "on reconnect it resubscribes, waits for Redis to confirm, then re-reads every watched key",
                "seen " + seen + " ms after healing", 0, 0, "none");
    }

    @Test
    void redisStalledLongerThanTheCommandTimeoutAndALeaseRecoversFullyWithoutPileUp() throws Exception {
        RedisServer redis = closeLater(RedisServer.startDefault());
        String registry = registry(redis.address(), "");
        provider("provider-a", registry);
        provider("provider-b", registry);
        DubboApps.Consumer consumer = consumer("consumer", registry);
        CallLoop calls = closeLater(CallLoop.start(consumer.service(), 10, Duration.ofSeconds(90)));
        millisUntil(Duration.ofSeconds(10), () -> providersOf(consumer).size() == 2);
        ProviderListSampler sampler = closeLater(new ProviderListSampler(consumer, Duration.ofSeconds(60)));
        int threadsBefore = registryThreads();

        // 5 s: longer than the command timeout (1 s) and than a lease (3.2 s).
        Thread stall = new Thread(() -> {
            try (RespClient raw = redis.client()) {
                raw.call("DEBUG", "SLEEP", "5");
            } catch (RuntimeException ignored) {
                // the reply may come after our socket timeout
            }
        });
        stall.start();
        Thread.sleep(4000);
        int threadsDuring = registryThreads();
        stall.join();
        long settled = millisUntil(Duration.ofSeconds(20), () -> {
            try (RespClient raw = redis.client()) {
                return raw.hgetall(PROVIDERS_KEY).size() == 2;
            }
        });
        Thread.sleep(SESSION); // past the settling time, when reaping resumes
        sampler.close();
        int threadsAfter = registryThreads();

        // Per application (three here, each with its own runtime, as Dubbo scopes its ZooKeeper clients): the
        // client's fixed pools (2 I/O, 2 completion, 1 timer) and one thread per store (one Redis here); plus
        // Dubbo's retry timer per registry. Nothing grows with stalled commands.
        int applications = 3;
        int bound = applications * (2 + 2 + 1 + 1) + applications;
        assertThat(threadsDuring).as("registry threads while stalled").isLessThanOrEqualTo(bound);
        assertThat(threadsAfter).as("registry threads after").isLessThanOrEqualTo(bound);
        assertThat(sampler.everDropped()).as("providers a consumer dropped").isEmpty();
        assertThat(calls.failures()).isEmpty();
        FaultReport.row("Redis stalled 5 s (DEBUG SLEEP): longer than the command timeout and than a lease",
                "commands time out (logged once per job); no thread pile-up (registry and client threads: " + threadsBefore
                        + " before, " + threadsDuring + " during, " + threadsAfter + " after); nothing is taken away meanwhile",
                "registrations intact " + settled + " ms after the stall; no provider dropped", calls.failures().size(),
                calls.calls(), "none");
    }
}
