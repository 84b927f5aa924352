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
import io.github.dubboredis.testkit.ChildJvm;
import io.github.dubboredis.testkit.FreePorts;
import io.github.dubboredis.testkit.RedisServer;
import io.github.dubboredis.testkit.RespClient;

/**
 * A migration in progress: applications on Dubbo 2.7.23 with its original Redis registry and
 * applications on ours share one Redis, and each finds and calls the other's providers.
 */
class LegacyRegistryInteropTest {

    private static final Map<String, String> INTERFACE_LEVEL =
            Map.of("register-mode", "interface", "migration.step", "FORCE_INTERFACE");
    private static final String PROVIDERS_KEY = "/dubbo/" + GreetingService.class.getName() + "/providers";

    private RedisServer redis;
    private String registry;

    @BeforeEach
    void startRedis() {
        redis = RedisServer.startDefault();
        registry = "redis://" + redis.address() + "?session=6000";
    }

    @AfterEach
    void stopRedis() {
        redis.close();
    }

    @Test
    void ourConsumerCallsALegacyProviderAndSeesItLeave() {
        try (ChildJvm legacy = ChildApps.legacyProvider("legacy-provider", registry, FreePorts.next());
                DubboApps.Consumer consumer = DubboApps.startConsumer("new-consumer", registry, INTERFACE_LEVEL);
                RespClient raw = redis.client()) {
            await().atMost(Duration.ofSeconds(10)).until(() -> consumer.providerUrls().size() == 1);
            assertThat(consumer.service().greet("new")).isEqualTo("Hello, new, from legacy-provider");
            Loopback.assertProvidersRegisteredOnLoopback(raw, PROVIDERS_KEY);

            assertThat(legacy.stopGracefully(Duration.ofSeconds(30))).isTrue();
            // The old registry's HDEL + PUBLISH unregister reaches our consumer.
            await().atMost(Duration.ofSeconds(10)).until(() -> consumer.providerUrls().isEmpty());
        }
    }

    @Test
    void aLegacyConsumerCallsOurProviderAndSeesItLeave() {
        DubboApps.Provider ours = DubboApps.startProvider("new-provider", registry, FreePorts.next(), INTERFACE_LEVEL);
        try (ChildJvm legacy = ChildApps.legacyConsumer("legacy-consumer", registry, 400, 50)) {
            legacy.awaitLine(l -> l.equals("RESULT Hello, legacy, from new-provider"), Duration.ofSeconds(20));
            ours.close(); // HDEL + PUBLISH unregister, which the old registry's psubscribe hears
            legacy.awaitLine(l -> l.startsWith("ERROR") && l.contains("No provider"), Duration.ofSeconds(20));
            assertThat(legacy.lines()).filteredOn(l -> l.startsWith("RESULT")).isNotEmpty()
                    .allMatch(l -> l.equals("RESULT Hello, legacy, from new-provider"));
        } finally {
            ours.close();
        }
    }

    @Test
    void oneConsumerOfEachKindIsServedByProvidersOfBothKinds() {
        DubboApps.Provider ours = DubboApps.startProvider("new-provider", registry, FreePorts.next(), INTERFACE_LEVEL);
        try (ChildJvm legacyProvider = ChildApps.legacyProvider("legacy-provider", registry, FreePorts.next());
                DubboApps.Consumer consumer = DubboApps.startConsumer("new-consumer", registry, INTERFACE_LEVEL);
                CallLoop calls = CallLoop.start(consumer.service(), 10, Duration.ofSeconds(60));
                ChildJvm legacyConsumer = ChildApps.legacyConsumer("legacy-consumer", registry, 400, 20)) {
            long start = calls.mark();
            await().atMost(Duration.ofSeconds(20)).until(
                    () -> calls.servedSince(start).keySet().containsAll(java.util.List.of("new-provider", "legacy-provider")));
            legacyConsumer.awaitLine(l -> l.equals("RESULT Hello, legacy, from new-provider"), Duration.ofSeconds(20));
            legacyConsumer.awaitLine(l -> l.equals("RESULT Hello, legacy, from legacy-provider"), Duration.ofSeconds(20));
            assertThat(calls.failures()).isEmpty();
            assertThat(legacyConsumer.lines()).noneMatch(l -> l.startsWith("ERROR"));
        } finally {
            ours.close();
        }
    }
}
