package io.github.dubboredis.it.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.time.Duration;

import org.junit.jupiter.api.Test;

import io.github.dubboredis.demo.DubboApps;
import io.github.dubboredis.testkit.RedisServer;
import io.github.dubboredis.testkit.RespClient;

/**
 * While Redis is down, the registry waits (reconnects back off with jitter, up to
 * {@code reconnect.period}); it does not spin. The older registry spun a CPU in this situation.
 */
class OutageCpuTest extends FaultTestSupport {

    private static final long OUTAGE_MILLIS = 30_000;

    @Test
    void aThirtySecondOutageCostsAlmostNoCpuAndEverythingComesBack() throws Exception {
        RedisServer redis = closeLater(RedisServer.startDefault());
        // Default reconnect.period (3 s): the back-off a production application would use.
        String registry = "redis://" + redis.address() + "?session=" + SESSION + "&check=false";
        provider("provider-a", registry);
        provider("provider-b", registry);
        DubboApps.Consumer consumer = consumer("consumer", registry);
        millisUntil(Duration.ofSeconds(10), () -> providersOf(consumer).size() == 2);
        Thread.sleep(2000); // let start-up work (JIT, class loading) settle

        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        redis.kill();
        long cpuBefore = os.getProcessCpuTime();
        long wallBefore = System.nanoTime();
        Thread.sleep(OUTAGE_MILLIS);
        double cpuShare = (double) (os.getProcessCpuTime() - cpuBefore) / (System.nanoTime() - wallBefore);
        redis.start();

        long back;
        try (RespClient raw = redis.client()) {
            back = millisUntil(Duration.ofSeconds(15), () -> raw.hgetall(PROVIDERS_KEY).size() == 2);
        }
        assertThat(providersOf(consumer)).hasSize(2);
        System.out.printf("CPU during a %d s outage: %.2f%% of one core (this JVM: 2 providers, 1 consumer, "
                + "their registries)%n", OUTAGE_MILLIS / 1000, cpuShare * 100);
        // A spinning reconnect loop would take a whole core (100%); waiting takes next to nothing.
        assertThat(cpuShare).as("share of one core used while Redis was down").isLessThan(0.05);
        FaultReport.row("Redis down for 30 s",
                "reconnect attempts back off exponentially with full jitter up to reconnect.period (3 s); commands fail fast, "
                        + "nothing queues", String.format("%.2f%% of one core while down; all registrations back %d ms after Redis",
                        cpuShare * 100, back), 0, 0, "none");
    }
}
