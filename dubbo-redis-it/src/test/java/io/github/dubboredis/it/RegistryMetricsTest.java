package io.github.dubboredis.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import org.apache.dubbo.metrics.MetricsGlobalRegistry;
import org.apache.dubbo.metrics.report.DefaultMetricsReporter;
import org.apache.dubbo.rpc.model.ApplicationModel;
import org.junit.jupiter.api.Test;

import io.github.dubboredis.demo.DubboApps;
import io.github.dubboredis.testkit.FreePorts;
import io.github.dubboredis.testkit.RedisServer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * With Micrometer on the classpath Dubbo 3.3 turns its own metrics on; the registry's meters then
 * sit in the same meter registry, tagged with the same application, and count what happens: here a
 * provider and a consumer, a call, and Redis restarted empty under them.
 */
class RegistryMetricsTest {

    private static final Map<String, String> INTERFACE_LEVEL =
            Map.of("register-mode", "interface", "migration.step", "FORCE_INTERFACE", "metrics.enable-registry", "true");

    @Test
    void registryMetersCountEventsBesideDubbosOwnMetrics() throws Exception {
        try (RedisServer redis = RedisServer.startDefault()) {
            String registry = "redis://" + redis.address() + "?session=3000";
            // The consumer first, so that the provider's arrival is a change it is notified of.
            try (DubboApps.Consumer consumer = DubboApps.startConsumer("metrics-consumer", registry, INTERFACE_LEVEL);
                    DubboApps.Provider provider = DubboApps.startProvider("metrics-provider", registry, FreePorts.next(), INTERFACE_LEVEL)) {
                await().atMost(Duration.ofSeconds(10)).until(() -> consumer.providerUrls().size() == 1);
                assertThat(consumer.service().greet("metrics")).contains("metrics-provider");

                ApplicationModel providerApp = provider.bootstrap().getApplicationModel();
                ApplicationModel consumerApp = consumer.bootstrap().getApplicationModel();
                MeterRegistry meters = MetricsGlobalRegistry.getCompositeRegistry(consumerApp);

                assertThat(gauge(meters, "dubbo.registry.redis.registered.entries", "metrics-provider")).isGreaterThanOrEqualTo(1);
                assertThat(gauge(meters, "dubbo.registry.redis.watched.keys", "metrics-consumer")).isGreaterThanOrEqualTo(3);
                assertThat(counter(meters, "dubbo.registry.redis.notifications.total", "metrics-consumer")).isPositive();
                Timer lag = meters.find("dubbo.registry.redis.notification.lag").tag("application.name", "metrics-consumer").timer();
                assertThat(lag).isNotNull();
                assertThat(lag.count()).isPositive();

                // Redis loses everything: each registry sees its connection drop and the data gone, re-registers and resyncs.
                redis.restartEmpty();
                await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
                    assertThat(counter(meters, "dubbo.registry.redis.connections.lost.total", "metrics-consumer")).as("connections.lost.total").isPositive();
                    assertThat(counter(meters, "dubbo.registry.redis.resyncs.total", "metrics-consumer")).as("resyncs.total").isPositive();
                    assertThat(counter(meters, "dubbo.registry.redis.data.losses.total", "metrics-provider")).as("data.losses.total").isPositive();
                });
                await().atMost(Duration.ofSeconds(10)).until(() -> consumer.providerUrls().size() == 1);
                assertThat(consumer.service().greet("again")).contains("metrics-provider");

                // What an operator sees through Dubbo's own reporter (the QoS "metrics_default" command): ours beside Dubbo's.
                DefaultMetricsReporter reporter = providerApp.getBeanFactory().getBean(DefaultMetricsReporter.class);
                assertThat(reporter).as("Dubbo's default metrics reporter").isNotNull();
                reporter.resetIfSamplesChanged();
                String exported = reporter.getResponseWithName("dubbo.registry");
                assertThat(exported).contains("dubbo.registry.register.service.total", "dubbo.registry.redis.registered.entries",
                        "dubbo.registry.redis.notifications.total");
            }
            // A destroyed registry takes its meters with it: no gauge keeps a closed engine alive.
            MeterRegistry meters = MetricsGlobalRegistry.getCompositeRegistry();
            assertThat(meters.find("dubbo.registry.redis.registered.entries").tag("application.name", "metrics-provider").gauges())
                    .isEmpty();
        }
    }

    private static double gauge(MeterRegistry meters, String name, String application) {
        return Optional.ofNullable(meters.find(name).tag("application.name", application).gauge()).map(Gauge::value).orElse(-1.0);
    }

    private static double counter(MeterRegistry meters, String name, String application) {
        return Optional.ofNullable(meters.find(name).tag("application.name", application).counter()).map(Counter::count).orElse(-1.0);
    }
}
