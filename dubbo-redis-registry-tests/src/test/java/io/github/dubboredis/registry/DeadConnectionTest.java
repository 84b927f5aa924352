package io.github.dubboredis.registry;

import static io.github.dubboredis.support.Registries.url;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;

import org.apache.dubbo.common.URL;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.github.dubboredis.dubbo.RedisRegistry;
import io.github.dubboredis.internal.engine.RegistryEngine;
import io.github.dubboredis.internal.model.CategoryKey;
import io.github.dubboredis.support.Engines;
import io.github.dubboredis.support.LogCapture;
import io.github.dubboredis.support.Registries;
import io.github.dubboredis.testkit.RedisPerClass;
import io.github.dubboredis.testkit.RedisServer;
import io.github.dubboredis.testkit.RespClient;
import io.github.dubboredis.testkit.TcpProxy;

/**
 * A Redis host that vanishes without closing anything (powered off behind a firewall that drops packets): no
 * reset, no FIN, and every byte acknowledged by the middlebox, so TCP itself never complains. The registry must
 * notice on its own, within the bound the README states: a PING every connect.timeout, and a connection silent
 * for timeout + connect.timeout while a command waits is closed. Run with and without Netty's native transport
 * (CI runs this module again with -Dio.netty.transport.noNative=true).
 */
class DeadConnectionTest {

    private static final long TIMEOUT = 1000;
    private static final long CONNECT_TIMEOUT = 1000;
    /** The README's bound: heartbeat + silence + one check of the watchdog (a quarter of the silence). */
    private static final long BOUND = CONNECT_TIMEOUT + (TIMEOUT + CONNECT_TIMEOUT) * 5 / 4;
    /** A loaded CI machine schedules late; this is not a speed test. */
    private static final long SLACK = 1500;

    @RegisterExtension
    static final RedisPerClass redis = new RedisPerClass();

    private static String params(String group) {
        return "timeout=" + TIMEOUT + "&connect.timeout=" + CONNECT_TIMEOUT + "&reconnect.period=200&session=4000&group=" + group;
    }

    @Test
    void aRedisThatGoesSilentIsNoticedWithinTheBoundAndUsedAgainWhenItAnswers() {
        try (TcpProxy proxy = new TcpProxy("127.0.0.1", redis.server().port()); Engines engines = new Engines();
                RespClient raw = redis.client()) {
            RegistryEngine engine = engines.open(Engines.settings("redis://" + proxy.address() + "?" + params("hole")));
            CategoryKey key = engine.keyspace().key("com.foo.Hole", "providers");
            engine.registrations().register(key, "dubbo://10.0.0.1:1/com.foo.Hole?interface=com.foo.Hole", true).join();

            proxy.blackHole();
            long start = System.nanoTime();
            await().atMost(Duration.ofMillis(BOUND + SLACK)).pollInterval(Duration.ofMillis(20)).until(() -> !engine.isConnected());
            long noticed = (System.nanoTime() - start) / 1_000_000;
            System.out.printf("silent Redis noticed after %d ms (bound %d ms, native transport: %s)%n", noticed, BOUND,
                    io.netty.channel.epoll.Epoll.isAvailable());

            // Registered while nothing answers: written as soon as Redis does.
            engine.registrations().register(key, "dubbo://10.0.0.2:1/com.foo.Hole?interface=com.foo.Hole", true);
            proxy.heal();
            await().atMost(Duration.ofSeconds(10)).until(engine::isConnected);
            await().atMost(Duration.ofSeconds(10)).until(() -> raw.hgetall(key.redisKey()).size() == 2);
        }
    }

    @Test
    void withClusterFailoverARegistryWhoseNodeGoesSilentMovesToTheNext() {
        try (RedisServer second = RedisServer.startDefault(); TcpProxy toFirst = new TcpProxy("127.0.0.1", redis.server().port());
                Engines engines = new Engines(); RespClient onSecond = second.client()) {
            RegistryEngine engine = engines.open(Engines.settings("redis://" + toFirst.address() + "?backup=" + second.address()
                    + "&" + params("hole-failover")));
            CategoryKey key = engine.keyspace().key("com.foo.HoleFailover", "providers");
            String field = "dubbo://10.0.0.1:1/com.foo.HoleFailover?interface=com.foo.HoleFailover";
            engine.registrations().register(key, field, true).join();

            toFirst.blackHole();
            long start = System.nanoTime();
            // Noticed within the bound, then moved on after connect.timeout, and written again there at once.
            await().atMost(Duration.ofMillis(BOUND + CONNECT_TIMEOUT + SLACK * 2)).pollInterval(Duration.ofMillis(20))
                    .until(() -> onSecond.hgetall(key.redisKey()).containsKey(field));
            System.out.printf("moved to the next node %d ms after its node went silent%n", (System.nanoTime() - start) / 1_000_000);
        }
    }

    @Test
    void theRegistrySaysOnceHowItNoticesDeadConnections() {
        try (Registries registries = new Registries(); LogCapture log = new LogCapture()) {
            RedisRegistry first = registries.create(redis.address(), params("said"));
            registries.createBeside(first, redis.address(), params("said-too"));
            URL p = url(first, "dubbo://10.0.0.1:20880/com.foo.Said?interface=com.foo.Said");
            first.register(p);
            await().atMost(Duration.ofSeconds(5)).until(() -> log.count("dead connections are noticed within") >= 1);
            assertThat(log.count("dead connections are noticed within")).isEqualTo(1);
            assertThat(log.lines()).anyMatch(l -> l.contains("dead connections are noticed within " + BOUND + " ms"));
        }
    }
}
