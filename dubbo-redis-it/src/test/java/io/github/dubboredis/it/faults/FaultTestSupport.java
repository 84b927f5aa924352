package io.github.dubboredis.it.faults;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;

import org.apache.dubbo.common.URL;
import org.junit.jupiter.api.AfterEach;

import io.github.dubboredis.demo.DubboApps;
import io.github.dubboredis.demo.GreetingService;
import io.github.dubboredis.testkit.FreePorts;

/**
 * What the fault tests share: short, known periods so that faults heal within a test's time; apps that
 * are closed after each test; and ways to read what consumers and Redis believe.
 */
abstract class FaultTestSupport {

    static final long SESSION = 4000;
    static final long RENEW_PERIOD = (SESSION - 2 * 400) / 3; // see LeaseTimings
    static final long RESYNC_PERIOD = 2000;
    /**
     * What observing a change adds to a bound the registry keeps: a poll interval (10 ms) and the read that
     * sees it, on a machine as busy as CI's. (Bounds are guarantees tested here; speed is the benchmarks'.)
     */
    static final long MEASURING_SLACK = 100;
    static final Map<String, String> INTERFACE_LEVEL =
            Map.of("register-mode", "interface", "migration.step", "FORCE_INTERFACE");
    static final String PROVIDERS_KEY = "/dubbo/" + GreetingService.class.getName() + "/providers";

    private final List<AutoCloseable> toClose = new ArrayList<>();

    /** A registry address with the test periods; check=false so apps start (and stop) while Redis is away. */
    static String registry(String address, String extra) {
        return "redis://" + address + "?session=" + SESSION + "&resync.period=" + RESYNC_PERIOD
                + "&reconnect.period=300&timeout=1000&connect.timeout=1000&check=false&retry.period=500"
                + (extra.isEmpty() ? "" : "&" + extra);
    }

    <T extends AutoCloseable> T closeLater(T resource) {
        toClose.add(resource);
        return resource;
    }

    DubboApps.Provider provider(String name, String registry) {
        return closeLater(DubboApps.startProvider(name, registry, FreePorts.next(), INTERFACE_LEVEL));
    }

    DubboApps.Consumer consumer(String name, String registry) {
        return closeLater(DubboApps.startConsumer(name, registry, INTERFACE_LEVEL));
    }

    /** The providers (application names) a consumer's directory holds now. */
    static Set<String> providersOf(DubboApps.Consumer consumer) {
        Set<String> names = new TreeSet<>();
        for (URL u : consumer.providerUrls()) {
            names.add(u.getParameter("remote.application", u.getAddress()));
        }
        return names;
    }

    /** Waits for a condition and returns how long it took, in ms. */
    static long millisUntil(Duration atMost, BooleanSupplier condition) {
        long start = System.nanoTime();
        await().atMost(atMost).pollInterval(Duration.ofMillis(10)).until(condition::getAsBoolean);
        return (System.nanoTime() - start) / 1_000_000;
    }

    /** Lets the applications go on calling a while after a fault healed: calls must keep succeeding. */
    static void observeCallsFor(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @AfterEach
    void closeAll() {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            try {
                toClose.get(i).close();
            } catch (Exception ignored) {
                // best effort: the next test starts from fresh processes anyway
            }
        }
        toClose.clear();
    }
}
