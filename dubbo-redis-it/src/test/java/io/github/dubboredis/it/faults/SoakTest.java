package io.github.dubboredis.it.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.github.dubboredis.demo.DubboApps;
import io.github.dubboredis.it.CallLoop;
import io.github.dubboredis.testkit.FreePorts;
import io.github.dubboredis.testkit.RedisServer;
import io.github.dubboredis.testkit.RespClient;

/**
 * A bounded soak (about three minutes; run with {@code -Psoak}, as CI does): providers join and leave
 * at random while a consumer calls and Redis is restarted twice, once with its data and once empty.
 * At the end the consumer's view, and Redis, must equal the truth.
 */
@Tag("soak")
class SoakTest extends FaultTestSupport {

    private static final Duration CHURN = Duration.ofSeconds(150);
    private static final int MAX_OPERATIONS = 300;
    private static final int MAX_PROVIDERS = 6;

    @Test
    void afterRandomChurnAndTwoRedisRestartsTheConsumersViewEqualsTheTruth() throws Exception {
        long seed = Long.getLong("soak.seed", System.nanoTime());
        Random random = new Random(seed);
        System.out.println("soak seed " + seed + " (rerun with -Dsoak.seed=" + seed + ")");
        RedisServer redis = closeLater(RedisServer.startDefault());
        String registry = registry(redis.address(), "");
        Map<String, DubboApps.Provider> running = new LinkedHashMap<>();
        running.put("provider-0", DubboApps.startProvider("provider-0", registry, FreePorts.next(), INTERFACE_LEVEL));
        DubboApps.Consumer consumer = consumer("consumer", registry);
        CallLoop calls = closeLater(CallLoop.start(consumer.service(), 20, CHURN.plusSeconds(60)));

        long start = System.nanoTime();
        int operations = 0;
        int joined = 1;
        int left = 0;
        boolean restartedWithData = false;
        boolean restartedEmpty = false;
        try {
            while (operations < MAX_OPERATIONS && System.nanoTime() - start < CHURN.toNanos()) {
                long elapsed = (System.nanoTime() - start) / 1_000_000;
                if (!restartedWithData && elapsed > CHURN.toMillis() / 3) {
                    redis.restartWithData();
                    restartedWithData = true;
                } else if (!restartedEmpty && elapsed > CHURN.toMillis() * 2 / 3) {
                    redis.restartEmpty();
                    restartedEmpty = true;
                } else if (running.size() < 2 || (running.size() < MAX_PROVIDERS && random.nextBoolean())) {
                    String name = "provider-" + joined++;
                    running.put(name, DubboApps.startProvider(name, registry, FreePorts.next(), INTERFACE_LEVEL));
                } else {
                    String name = new ArrayList<>(running.keySet()).get(random.nextInt(running.size()));
                    running.remove(name).close();
                    left++;
                }
                operations++;
                Thread.sleep(200 + random.nextInt(800));
            }
            // Settle: longer than a session and a resync period, so that anything stale has gone.
            Set<String> truth = new TreeSet<>(running.keySet());
            long exact = millisUntil(Duration.ofMillis(SESSION * 3), () -> providersOf(consumer).equals(truth));
            try (RespClient raw = redis.client()) {
                millisUntil(Duration.ofMillis(SESSION * 3), () -> raw.hgetall(PROVIDERS_KEY).size() == truth.size());
            }
            observeCallsFor(SESSION);
            assertThat(providersOf(consumer)).isEqualTo(truth);
            System.out.printf("soak: %d operations (%d joined, %d left), 2 Redis restarts, %d calls, %d failed; "
                    + "view exact %d ms after the churn stopped%n", operations, joined, left, calls.calls(), calls.failures().size(), exact);
            FaultReport.row("Soak: " + CHURN.toSeconds() + " s of random joins and leaves (" + (joined + left)
                    + " in all), Redis restarted with its data, then empty",
                    "all of the above", "consumer view equal to the truth " + exact + " ms after the churn stopped",
                    calls.failures().size(), calls.calls(), "none");
        } finally {
            for (DubboApps.Provider p : running.values()) {
                p.close();
            }
        }
    }
}
