package io.github.dubboredis.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.github.dubboredis.demo.DubboApps;
import io.github.dubboredis.demo.GreetingService;
import io.github.dubboredis.testkit.FreePorts;
import io.github.dubboredis.testkit.RedisServer;
import io.github.dubboredis.testkit.RespClient;

/** The seed's story, end to end: providers register, a consumer finds them, and calls follow changes. */
class TwoProvidersOneConsumerTest {

    private static final Map<String, String> INTERFACE_LEVEL =
            Map.of("register-mode", "interface", "migration.step", "FORCE_INTERFACE");
    private static final String PROVIDERS_KEY = "/dubbo/" + GreetingService.class.getName() + "/providers";

    private RedisServer redis;
    private String registry;

    @BeforeEach
    void startRedis() {
        redis = RedisServer.startDefault();
        registry = "redis://" + redis.address() + "?session=4000";
    }

    @AfterEach
    void stopRedis() {
        redis.close();
    }

    @Test
    void callsMoveToTheOtherProviderWithoutAFailedCallAndSpreadAgainWhenItReturns() {
        DubboApps.Provider a = DubboApps.startProvider("provider-a", registry, FreePorts.next(), INTERFACE_LEVEL);
        try (DubboApps.Provider b = DubboApps.startProvider("provider-b", registry, FreePorts.next(), INTERFACE_LEVEL);
                DubboApps.Consumer consumer = DubboApps.startConsumer("consumer", registry, INTERFACE_LEVEL);
                CallLoop calls = CallLoop.start(consumer.service(), 20, Duration.ofSeconds(60));
                RespClient raw = redis.client()) {

            Loopback.assertProvidersRegisteredOnLoopback(raw, PROVIDERS_KEY);
            long start = calls.mark();
            await().atMost(Duration.ofSeconds(15))
                    .until(() -> calls.servedSince(start).keySet().containsAll(java.util.List.of("provider-a", "provider-b")));

            a.close(); // graceful: unregisters, then closes its server
            await().atMost(Duration.ofSeconds(10)).until(() -> consumer.providerUrls().size() == 1);
            long afterStop = calls.mark();
            await().atMost(Duration.ofSeconds(10)).until(() -> calls.servedSince(afterStop).getOrDefault("provider-b", 0) >= 20);
            assertThat(calls.servedSince(afterStop)).containsOnlyKeys("provider-b");
            assertThat(raw.hgetall(PROVIDERS_KEY)).hasSize(1);

            a = DubboApps.startProvider("provider-a", registry, FreePorts.next(), INTERFACE_LEVEL);
            long afterRestart = calls.mark();
            await().atMost(Duration.ofSeconds(15))
                    .until(() -> calls.servedSince(afterRestart).keySet().containsAll(java.util.List.of("provider-a", "provider-b")));

            assertThat(calls.failures()).as("failed calls out of %d", calls.calls()).isEmpty();
            System.out.printf("end-to-end: %d calls, 0 failed, served %s%n", calls.calls(), calls.servedSince(start));
        } finally {
            a.close();
        }
    }
}
