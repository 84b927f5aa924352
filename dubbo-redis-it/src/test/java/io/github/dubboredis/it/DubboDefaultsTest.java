package io.github.dubboredis.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.github.dubboredis.demo.DubboApps;
import io.github.dubboredis.testkit.FreePorts;
import io.github.dubboredis.testkit.RedisServer;

/** With nothing but {@code redis://host:port}, a plain Dubbo 3.3 provider and consumer find each other. */
class DubboDefaultsTest {

    @Test
    void aProviderAndAConsumerWithDubbosDefaultsCallEachOther() {
        try (RedisServer redis = RedisServer.startDefault()) {
            String registry = "redis://" + redis.address();
            try (DubboApps.Provider provider = DubboApps.startProvider("provider", registry, FreePorts.next(), Map.of());
                    DubboApps.Consumer consumer = DubboApps.startConsumer("consumer", registry, Map.of())) {
                await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
                        .until(() -> consumer.service().greet("defaults").equals("Hello, defaults, from provider"));
                assertThat(consumer.providerUrls()).hasSize(1);
            }
        }
    }
}
