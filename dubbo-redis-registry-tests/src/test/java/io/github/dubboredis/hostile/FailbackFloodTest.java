package io.github.dubboredis.hostile;

import static io.github.dubboredis.support.Registries.url;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

import org.apache.dubbo.common.URL;
import org.junit.jupiter.api.Test;

import io.github.dubboredis.dubbo.RedisRegistry;
import io.github.dubboredis.support.LogCapture;
import io.github.dubboredis.support.Registries;
import io.github.dubboredis.testkit.RedisServer;
import io.github.dubboredis.testkit.RespClient;
import io.github.dubboredis.testkit.TcpProxy;

/**
 * Finding 8 of issue 13: a flood on the failback channel while the first node was down made 180 connection
 * attempts and 180 WARN lines in 5 s. Now requests are tried at most once a second (the rest fold into the next
 * attempt), and "staying" is said at most once a minute; a request once the first node is back still moves.
 */
class FailbackFloodTest {

    private static final String MOVE_BACK = "dubbo-redis:failover:move-back";

    @Test
    void aFloodOfFailbackRequestsWhileTheFirstNodeIsDownCostsAnAttemptASecond() {
        try (RedisServer first = RedisServer.startDefault(); RedisServer second = RedisServer.startDefault();
                TcpProxy toFirst = new TcpProxy("127.0.0.1", first.port()); RespClient onSecond = HostileRedis.client(second);
                RespClient onFirst = HostileRedis.client(first); Registries registries = new Registries();
                LogCapture log = new LogCapture()) {
            RedisRegistry registry = registries.create(toFirst.address(),
                    "backup=" + second.address() + "&connect.timeout=500&reconnect.period=200");
            String key = "/dubbo/com.foo.Failback/providers";
            URL provider = url(registry, "dubbo://10.0.0.1:20880/com.foo.Failback?interface=com.foo.Failback");
            registry.register(provider);
            toFirst.cut(); // the first node is down, as far as the registry can tell
            await().atMost(Duration.ofSeconds(15)).until(() -> onSecond.number("HLEN", key) == 1);

            // One request alone first: how many connections one attempt opens (a command and a pub/sub link, and
            // the client's retry of a handshake the proxy cut).
            int before = toFirst.acceptedConnections();
            onSecond.call("PUBLISH", MOVE_BACK, "one");
            await().atMost(Duration.ofSeconds(5)).until(() -> toFirst.acceptedConnections() > before);
            await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(10)).until(toFirst::acceptedConnections, n -> true);
            int perAttempt = toFirst.acceptedConnections() - before;
            int attemptsBefore = toFirst.acceptedConnections();
            log.clear();
            long floodStart = System.nanoTime();
            int published = 0;
            for (int burst = 0; burst < 50; burst++) { // 5,000 requests over about 5 s
                List<String[]> requests = new ArrayList<>();
                for (int i = 0; i < 100; i++) {
                    requests.add(new String[] {"PUBLISH", MOVE_BACK, "flood " + published++});
                }
                onSecond.pipeline(requests);
                LockSupport.parkNanos(100_000_000L);
            }
            double seconds = (System.nanoTime() - floodStart) / 1e9;
            // The last folded request is tried at most a second after the flood; then nothing more comes.
            await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(10))
                    .until(toFirst::acceptedConnections, n -> true);
            int connections = toFirst.acceptedConnections() - attemptsBefore;
            int attempts = (connections + perAttempt - 1) / perAttempt;
            long warnings = log.count("asked to move back");
            System.out.printf("%d failback requests in %.1f s while the first node was down: %d attempts to move back "
                    + "(%d connections, %d per attempt), %d WARN line(s)%n", published, seconds, attempts, connections,
                    perAttempt, warnings);
            assertThat(attempts).as("attempts to move back to the node that is down").isBetween(1, (int) Math.ceil(seconds) + 2);
            assertThat(warnings).as("'staying' warnings after the first (said once a minute)").isZero();

            // Back up: the next request moves the registry back, and it registers there again.
            onFirst.call("DEL", key);
            toFirst.heal();
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                onSecond.call("PUBLISH", MOVE_BACK, "operator");
                return onFirst.number("HLEN", key) == 1;
            });
        }
    }
}
