package io.github.dubboredis.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;

import org.apache.dubbo.qos.command.impl.Offline;
import org.apache.dubbo.qos.command.impl.Online;
import org.apache.dubbo.rpc.model.FrameworkModel;
import org.junit.jupiter.api.Test;

import io.github.dubboredis.demo.DubboApps;
import io.github.dubboredis.demo.GreetingService;
import io.github.dubboredis.testkit.FreePorts;
import io.github.dubboredis.testkit.RedisServer;
import io.github.dubboredis.testkit.RespClient;

/**
 * Dubbo's QoS {@code offline} and {@code online} commands (here called directly, as the QoS server
 * would): an offline provider leaves the registry and stays out, through any number of renewals,
 * until it is put online again. The older registry wrote it back on its next renewal.
 */
class QosOfflineOnlineTest {

    private static final Map<String, String> INTERFACE_LEVEL =
            Map.of("register-mode", "interface", "migration.step", "FORCE_INTERFACE");
    private static final String PROVIDERS_KEY = "/dubbo/" + GreetingService.class.getName() + "/providers";
    private static final long SESSION_MILLIS = 2000;

    @Test
    void anOfflineProviderStaysOfflineUntilPutOnline() throws Exception {
        try (RedisServer redis = RedisServer.startDefault(); RespClient raw = redis.client()) {
            String registry = "redis://" + redis.address() + "?session=" + SESSION_MILLIS;
            try (DubboApps.Provider provider = DubboApps.startProvider("provider", registry, FreePorts.next(), INTERFACE_LEVEL);
                    DubboApps.Consumer consumer = DubboApps.startConsumer("consumer", registry, INTERFACE_LEVEL)) {
                await().atMost(Duration.ofSeconds(10)).until(() -> consumer.providerUrls().size() == 1);
                FrameworkModel framework = provider.bootstrap().getApplicationModel().getFrameworkModel();

                assertThat(new Offline(framework).offline(".*GreetingService.*")).isTrue();
                await().atMost(Duration.ofSeconds(5)).until(() -> consumer.providerUrls().isEmpty());
                assertThat(raw.hgetall(PROVIDERS_KEY)).isEmpty();
                Thread.sleep(SESSION_MILLIS * 2); // several renewal periods
                assertThat(raw.hgetall(PROVIDERS_KEY)).isEmpty();
                assertThat(consumer.providerUrls()).isEmpty();

                assertThat(new Online(framework).online(".*GreetingService.*")).isTrue();
                await().atMost(Duration.ofSeconds(5)).until(() -> consumer.providerUrls().size() == 1);
                assertThat(consumer.service().greet("again")).isEqualTo("Hello, again, from provider");
            }
        }
    }
}
