package io.github.dubboredis.dubbo;

import static io.github.dubboredis.support.Registries.url;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.apache.dubbo.common.URL;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.github.dubboredis.support.Notifications;
import io.github.dubboredis.support.Registries;
import io.github.dubboredis.testkit.RedisPerClass;
import io.github.dubboredis.testkit.RespClient;

/**
 * One command connection and one pub/sub connection, whatever the number of subscribed services, and a
 * bounded number of threads. (The older registry held one thread and one pooled connection per subscribed
 * service.) How bursts fold into reads is unit-tested on the in-memory store ({@code SubscriptionsTest}).
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
            // Each key: its own channel (what older registries announce on) and its change channel.
            assertThat(connections).filteredOn(c -> c.contains(" sub=6002 ")).hasSize(1);
            assertThat(threadsAfter - threadsBefore).as("threads added by 1000 subscriptions").isLessThanOrEqualTo(2);
            assertThat(listeners).allSatisfy(n -> assertThat(n.count()).isEqualTo(3));

            // Another registry of the same application (another group) shares the connections.
            RedisRegistry providerSide = registries.createBeside(registry, redis.address(), "group=economy2");
            assertThat(ourConnections(raw)).as("a second registry of the application shares the connections").hasSize(2);
            RedisRegistry sameGroup = registries.createBeside(registry, redis.address(), "group=economy&session=30000");
            URL p = url(sameGroup, "dubbo://10.0.0.2:20880/com.foo.S500?interface=com.foo.S500");
            sameGroup.register(p);
            await().atMost(Duration.ofSeconds(5)).until(() -> listeners.get(500).current("com.foo.S500", "providers").equals(List.of(p)));
            assertThat(ourConnections(raw)).hasSize(2);
            assertThat(providerSide.isAvailable()).isTrue();
        }
    }
}
