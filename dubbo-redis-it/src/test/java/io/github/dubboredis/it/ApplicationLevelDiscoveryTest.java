package io.github.dubboredis.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.github.dubboredis.demo.DubboApps;
import io.github.dubboredis.demo.GreetingService;
import io.github.dubboredis.testkit.ChildJvm;
import io.github.dubboredis.testkit.FreePorts;
import io.github.dubboredis.testkit.RedisServer;
import io.github.dubboredis.testkit.RespClient;

/**
 * Dubbo 3 application-level service discovery on Redis: with Dubbo's defaults and with each explicit
 * mode, a consumer calls a provider through Redis, and the test shows which path it took (not a silent
 * fall-back). No {@code provided-by}: the interface-to-application mapping comes from the Redis metadata
 * centre that Dubbo sets up by itself.
 */
class ApplicationLevelDiscoveryTest {

    private static final String SERVICE = GreetingService.class.getName();
    private static final long SESSION = 4000;

    private RedisServer redis;
    private String registry;

    @BeforeEach
    void startRedis() {
        redis = RedisServer.startDefault();
        // delay-notification=0: Dubbo otherwise holds application-level changes back for 5 s.
        registry = "redis://" + redis.address() + "?session=" + SESSION + "&delay-notification=0";
    }

    @AfterEach
    void stopRedis() {
        redis.close();
    }

    static Stream<Arguments> modes() {
        return Stream.of(
                Arguments.of("(default: all)", "(default: APPLICATION_FIRST)", "application"),
                Arguments.of("instance", "FORCE_APPLICATION", "application"),
                Arguments.of("instance", "(default: APPLICATION_FIRST)", "application"),
                Arguments.of("all", "FORCE_APPLICATION", "application"),
                Arguments.of("all", "FORCE_INTERFACE", "interface"),
                Arguments.of("interface", "FORCE_INTERFACE", "interface"));
    }

    @ParameterizedTest(name = "provider register-mode={0}, consumer {1} -> {2} level")
    @MethodSource("modes")
    void aConsumerCallsAProviderThroughRedisOnTheExpectedPath(String registerMode, String step, String expectedPath) {
        Map<String, String> providerSettings = new HashMap<>();
        if (!registerMode.startsWith("(")) {
            providerSettings.put("register-mode", registerMode);
        }
        Map<String, String> consumerSettings = new HashMap<>();
        if (!step.startsWith("(")) {
            consumerSettings.put("migration.step", step);
        }
        try (DubboApps.Provider provider = DubboApps.startProvider("provider", registry, FreePorts.next(), providerSettings);
                DubboApps.Consumer consumer = DubboApps.startConsumer("consumer", registry, consumerSettings);
                RespClient raw = redis.client()) {
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                    .until(() -> consumer.service().greet("app").equals("Hello, app, from provider")
                            && expectedPath.equals(consumer.path()));
            assertThat(consumer.path()).isEqualTo(expectedPath);
            boolean instances = !registerMode.equals("interface");
            assertThat(raw.hgetall("dubbo-redis:/dubbo/:instances:provider")).as("instances in Redis").hasSize(instances ? 1 : 0);
            assertThat(raw.hgetall("/dubbo/" + SERVICE + "/providers")).as("interface-level entries in Redis")
                    .hasSize(registerMode.equals("instance") ? 0 : 1);
            if (instances) {
                // The mapping, in the layout of dubbo-metadata-report-redis.
                assertThat(raw.hgetall("dubbo:mapping")).containsEntry(SERVICE, "provider");
            }
        }
    }

    @Test
    void instancesComeAndGoWithoutRestartingTheConsumerAndAKilledOneLeavesWithinOneSession() {
        Map<String, String> instanceOnly = Map.of("register-mode", "instance");
        try (DubboApps.Provider first = DubboApps.startProvider("provider", registry, FreePorts.next(), instanceOnly);
                DubboApps.Consumer consumer = DubboApps.startConsumer("consumer", registry, Map.of("migration.step", "FORCE_APPLICATION"));
                CallLoop calls = CallLoop.start(consumer.service(), 20, Duration.ofSeconds(60))) {
            await().atMost(Duration.ofSeconds(20)).until(() -> consumer.providerUrls().size() == 1);

            try (ChildJvm second = ChildApps.provider("provider", registry, FreePorts.next(), "register-mode=instance")) {
                await().atMost(Duration.ofSeconds(20)).until(() -> consumer.providerUrls().size() == 2);
                long killedAt = System.nanoTime();
                second.kill();
                await().atMost(Duration.ofMillis(SESSION * 2)).pollInterval(Duration.ofMillis(20))
                        .until(() -> consumer.providerUrls().size() == 1);
                long goneAfter = (System.nanoTime() - killedAt) / 1_000_000;
                System.out.printf("application level: SIGKILLed instance gone from the consumer after %d ms (session %d ms)%n",
                        goneAfter, SESSION);
                assertThat(goneAfter).isLessThanOrEqualTo(SESSION);
            }
            assertThat(consumer.path()).isEqualTo("application");
            assertThat(consumer.providerUrls().get(0).getPort()).isEqualTo(first.port());
        }
    }

    @Test
    void applicationMetadataCanLiveInRedis() {
        Map<String, String> remote = Map.of("register-mode", "instance", "metadata-type", "remote");
        try (DubboApps.Provider provider = DubboApps.startProvider("provider", registry, FreePorts.next(), remote);
                DubboApps.Consumer consumer = DubboApps.startConsumer("consumer", registry,
                        Map.of("migration.step", "FORCE_APPLICATION", "metadata-type", "remote"));
                RespClient raw = redis.client()) {
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                    .until(() -> consumer.service().greet("remote").equals("Hello, remote, from provider"));
            List<String> metadataKeys = raw.scan("provider:*");
            assertThat(metadataKeys).as("application metadata at <application>:<revision>").hasSize(1);
            assertThat(raw.string("GET", metadataKeys.get(0))).contains(SERVICE).contains("\"app\":\"provider\"");
        }
    }
}
