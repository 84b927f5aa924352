package io.github.dubboredis.dubbo;

import static io.github.dubboredis.support.Registries.url;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;

import org.apache.dubbo.common.URL;
import org.junit.jupiter.api.Test;

import io.github.dubboredis.config.RedisRegistrySettings;
import io.github.dubboredis.internal.lettuce.LettuceRuntime;
import io.github.dubboredis.internal.store.RegistryStore;
import io.github.dubboredis.internal.store.StoreHandle;
import io.github.dubboredis.support.Engines;
import io.github.dubboredis.support.Notifications;
import io.github.dubboredis.support.Registries;
import io.github.dubboredis.testkit.RedisServer;
import io.github.dubboredis.testkit.RespClient;
import io.github.dubboredis.testkit.TcpProxy;

/**
 * The two ways (from the original registry) of using several Redis servers: {@code cluster=failover} (one at a time, move on
 * failure) and {@code cluster=replicate} (write to all, read from one), each through the loss of a node.
 */
class MultiNodeModesTest {

    private static final String SERVICE = "com.foo.Modes";
    private static final String KEY = "/dubbo/" + SERVICE + "/providers";

    private static URL provider(RedisRegistry r, String host) {
        return url(r, "dubbo://" + host + ":20880/" + SERVICE + "?interface=" + SERVICE);
    }

    private static URL consumer(RedisRegistry r) {
        return url(r, "consumer://10.0.0.9/" + SERVICE + "?interface=" + SERVICE + "&category=providers");
    }

    @Test
    void failoverMovesToTheNextNodeAndBackOnlyWhenAnOperatorAsks() {
        try (RedisServer first = RedisServer.startDefault(); RedisServer second = RedisServer.startDefault();
                Registries registries = new Registries(); RespClient onSecond = second.client()) {
            String address = first.address();
            String params = "backup=" + second.address() + "&connect.timeout=500&reconnect.period=200";
            RedisRegistry providerSide = registries.create(address, params);
            RedisRegistry consumerSide = registries.create(address, params + "&group=dubbo&application=other");
            URL p1 = provider(providerSide, "10.0.0.1");
            providerSide.register(p1);
            Notifications heard = new Notifications();
            consumerSide.subscribe(consumer(consumerSide), heard);
            assertThat(heard.current(SERVICE, "providers")).containsExactly(p1);
            assertThat(onSecond.hgetall(KEY)).as("failover writes to one node only").isEmpty();

            first.kill();
            // Nothing replicates between these two servers: what the second holds, the registries wrote there.
            await().atMost(Duration.ofSeconds(10)).until(() -> onSecond.hgetall(KEY).containsKey(p1.toFullString()));
            URL p2 = provider(providerSide, "10.0.0.2");
            providerSide.register(p2);
            await().atMost(Duration.ofSeconds(10)).until(() -> heard.current(SERVICE, "providers").size() == 2);
            assertThat(providerSide.isAvailable()).isTrue();

            // The first node returns, empty. Nobody moves back by itself...
            first.start();
            URL p3 = provider(providerSide, "10.0.0.3");
            providerSide.register(p3);
            await().atMost(Duration.ofSeconds(5)).until(() -> onSecond.hgetall(KEY).size() == 3);
            try (RespClient onFirst = first.client()) {
                assertThat(onFirst.hgetall(KEY)).isEmpty();
                int notifiedBeforeMovingBack = heard.count();

                // ...until an operator asks. The operator's tool (dubbo-redis failback) has a connection of its
                // own (another timeout, so not shared in this JVM), which starts on the first node.
                RedisRegistrySettings operatorSettings =
                        Engines.settings("redis://" + address + "?" + params + "&timeout=2500");
                try (LettuceRuntime operatorRuntime = new LettuceRuntime("operator");
                        StoreHandle operator = operatorRuntime.acquire(operatorSettings.connection(), true)) {
                    assertThat(operator.store().askToMoveBack("test").join()).containsExactly(
                            new RegistryStore.NodeReply(first.address(), 0, null),
                            // the provider's and the consumer's application: a connection each
                            new RegistryStore.NodeReply(second.address(), 2, null));
                }
                await().atMost(Duration.ofSeconds(10)).until(() -> onFirst.hgetall(KEY).size() == 3);
                URL p4 = provider(providerSide, "10.0.0.4");
                providerSide.register(p4);
                await().atMost(Duration.ofSeconds(10)).until(() -> heard.current(SERVICE, "providers").size() == 4);
                assertThat(onFirst.hgetall(KEY)).as("writes now go to the first node").containsKey(p4.toFullString());
                assertThat(onSecond.hgetall(KEY)).as("and no longer to the second").doesNotContainKey(p4.toFullString());
                assertThat(heard.all().subList(notifiedBeforeMovingBack, heard.count()))
                        .as("what the consumer was told while the registries moved back").allSatisfy(urls ->
                                assertThat(urls).extracting(URL::getHost).contains("10.0.0.1", "10.0.0.2", "10.0.0.3"));
            }
        }
    }

    /**
     * A move back that waits for a silent first node must not keep the registry on a node that dies
     * meanwhile: once the move back gives up, the failover goes on to the next node that answers.
     */
    @Test
    void aNodeLostWhileAMoveBackWaitsIsStillFailedOver() {
        try (RedisServer a = RedisServer.startDefault(); RedisServer b = RedisServer.startDefault();
                RedisServer c = RedisServer.startDefault(); TcpProxy toA = new TcpProxy("127.0.0.1", a.port());
                Registries registries = new Registries(); RespClient onB = b.client(); RespClient onC = c.client()) {
            String params = "backup=" + b.address() + "," + c.address() + "&connect.timeout=1000&timeout=3000&reconnect.period=200";
            RedisRegistry registry = registries.create(toA.address(), params);
            URL p1 = provider(registry, "10.0.0.1");
            registry.register(p1);
            toA.cut();
            await().atMost(Duration.ofSeconds(10)).until(() -> onB.hgetall(KEY).containsKey(p1.toFullString()));

            toA.stall(); // the first node takes connections but never answers
            assertThat(onB.number("PUBLISH", "dubbo-redis:failover:move-back", "test")).isEqualTo(1);
            b.kill(); // while the registry waits for the first node
            await().atMost(Duration.ofSeconds(20)).until(() -> onC.hgetall(KEY).containsKey(p1.toFullString()));
        }
    }

    @Test
    void replicateWritesToEveryNodeSurvivesTheLossOfOneAndRepopulatesItWhenItReturnsEmpty() {
        try (RedisServer a = RedisServer.startDefault(); RedisServer b = RedisServer.startDefault();
                RedisServer c = RedisServer.startDefault(); Registries registries = new Registries()) {
            String address = a.address();
            String params = "backup=" + b.address() + "," + c.address() + "&cluster=replicate&connect.timeout=500&reconnect.period=200";
            RedisRegistry providerSide = registries.create(address, params);
            RedisRegistry consumerSide = registries.create(address, params + "&application=other");
            URL p1 = provider(providerSide, "10.0.0.1");
            providerSide.register(p1);
            for (RedisServer node : List.of(a, b, c)) {
                try (RespClient raw = node.client()) {
                    assertThat(raw.hgetall(KEY)).as("node %s", node).containsOnlyKeys(p1.toFullString());
                }
            }
            Notifications heard = new Notifications();
            consumerSide.subscribe(consumer(consumerSide), heard);
            assertThat(heard.current(SERVICE, "providers")).containsExactly(p1);

            b.kill();
            URL p2 = provider(providerSide, "10.0.0.2");
            providerSide.register(p2);
            await().atMost(Duration.ofSeconds(10)).until(() -> heard.current(SERVICE, "providers").size() == 2);

            b.restartEmpty();
            try (RespClient onB = b.client()) {
                await().atMost(Duration.ofSeconds(10)).until(() -> onB.hgetall(KEY).size() == 2);
            }
            a.kill();
            c.kill();
            URL p3 = provider(providerSide, "10.0.0.3");
            providerSide.register(p3);
            await().atMost(Duration.ofSeconds(10)).until(() -> heard.current(SERVICE, "providers").size() == 3);
        }
    }
}
