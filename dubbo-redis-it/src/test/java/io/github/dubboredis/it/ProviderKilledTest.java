package io.github.dubboredis.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.github.dubboredis.demo.DubboApps;
import io.github.dubboredis.demo.GreetingService;
import io.github.dubboredis.testkit.ChildJvm;
import io.github.dubboredis.testkit.FreePorts;
import io.github.dubboredis.testkit.RedisServer;
import io.github.dubboredis.testkit.RespClient;

/** Liveness without an admin: what a crashed provider leaves behind is removed by any registry. */
class ProviderKilledTest {

    private static final long SESSION_MILLIS = 4000;
    private static final Map<String, String> INTERFACE_LEVEL =
            Map.of("register-mode", "interface", "migration.step", "FORCE_INTERFACE");
    private static final String PROVIDERS_KEY = "/dubbo/" + GreetingService.class.getName() + "/providers";

    @Test
    void providerKilledWithSigkillIsGoneFromTheConsumerWithinOneSession() {
        try (RedisServer redis = RedisServer.startDefault(); RespClient raw = redis.client()) {
            String registry = "redis://" + redis.address() + "?session=" + SESSION_MILLIS;
            try (ChildJvm victim = ChildApps.provider("provider-victim", registry, FreePorts.next(),
                            "register-mode=interface");
                    DubboApps.Provider survivor = DubboApps.startProvider("provider-survivor", registry, FreePorts.next(),
                            INTERFACE_LEVEL);
                    DubboApps.Consumer consumer = DubboApps.startConsumer("consumer", registry, INTERFACE_LEVEL);
                    CallLoop calls = CallLoop.start(consumer.service(), 20, Duration.ofSeconds(60))) {

                await().atMost(Duration.ofSeconds(15)).until(() -> consumer.providerUrls().size() == 2);
                Loopback.assertProvidersRegisteredOnLoopback(raw, PROVIDERS_KEY);

                long killedAt = System.nanoTime();
                victim.kill();
                await().atMost(Duration.ofMillis(SESSION_MILLIS * 2)).pollInterval(Duration.ofMillis(20))
                        .until(() -> consumer.providerUrls().size() == 1);
                long goneAfterMillis = (System.nanoTime() - killedAt) / 1_000_000;
                await().atMost(Duration.ofSeconds(2)).until(() -> raw.hgetall(PROVIDERS_KEY).size() == 1);

                System.out.printf("SIGKILLed provider gone from the consumer after %d ms (session %d ms); "
                        + "%d calls, %d failed%n", goneAfterMillis, SESSION_MILLIS, calls.calls(), calls.failures().size());
                assertThat(goneAfterMillis).as("time from SIGKILL to the consumer dropping the provider")
                        .isLessThanOrEqualTo(SESSION_MILLIS);
                assertThat(consumer.providerUrls().get(0).getPort()).isEqualTo(survivor.port());
                assertThat(raw.hgetall(PROVIDERS_KEY).keySet()).allMatch(url -> url.contains("provider-survivor"));
                assertThat(calls.failures()).as("failed calls (Dubbo retries on another provider)").isEmpty();
            }
        }
    }
}
