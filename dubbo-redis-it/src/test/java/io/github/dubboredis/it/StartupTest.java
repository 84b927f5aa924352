package io.github.dubboredis.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.github.dubboredis.demo.DubboApps;
import io.github.dubboredis.testkit.FreePorts;
import io.github.dubboredis.testkit.RedisServer;
import io.github.dubboredis.testkit.RespClient;

/**
 * No setting leaves an application without its registry in silence. Through a real DubboBootstrap: with
 * check=false (in the address or on the registry config; the metadata report and configuration centre Dubbo
 * makes from the registry follow it) and Redis down, the application starts and the registry keeps trying until Redis comes; an invalid
 * setting fails start-up even with check=false, naming the setting (a typo is not an outage); an address without a
 * port means 6379, although Dubbo turns it into port 9090 before any registry sees it.
 */
class StartupTest {

    private static final String PROVIDERS = "/dubbo/" + io.github.dubboredis.demo.GreetingService.class.getName() + "/providers";

    /** check=false in the address, or as the registry config's own setting (dubbo.registry.check=false). */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void withCheckFalseAndRedisDownTheApplicationStartsAndRegistersOnceRedisComes(boolean onTheRegistryConfig) {
        int port = FreePorts.next();
        String registry = "redis://127.0.0.1:" + port + "?connect.timeout=500&reconnect.period=200"
                + (onTheRegistryConfig ? "" : "&check=false");
        Map<String, String> settings = onTheRegistryConfig ? Map.of(DubboApps.REGISTRY_CHECK, "false") : Map.of();
        Map<String, String> consumerSettings = new HashMap<>(settings);
        consumerSettings.put("migration.step", "FORCE_INTERFACE");
        try (DubboApps.Provider provider = DubboApps.startProvider("early-provider", registry, FreePorts.next(), settings);
                DubboApps.Consumer consumer = DubboApps.startConsumer("early-consumer", registry, consumerSettings)) {
            try (RedisServer redis = RedisServer.builder().port(port).build().start(); RespClient raw = redis.client()) {
                await().atMost(Duration.ofSeconds(20)).until(() -> raw.hgetall(PROVIDERS).size() == 1);
                await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
                        .until(() -> consumer.service().greet("late").equals("Hello, late, from early-provider"));
            }
        }
    }

    @Test
    void anAddressWithoutAPortMeans6379AndAWrittenPortIsKept() throws IOException {
        // Dubbo gives every registry address without a port the port 9090 before a registry sees it; the registry
        // reads the address as written. A socket that never answers holds 6379 so that no real Redis is reached.
        try (ServerSocket silent = new ServerSocket()) {
            try {
                silent.bind(new InetSocketAddress("127.0.0.1", 6379));
            } catch (BindException inUse) {
                Assumptions.abort("127.0.0.1:6379 is in use on this machine; the test must not reach that server");
            }
            Throwable portless = catchThrowable(() -> DubboApps.startProvider("portless",
                    "redis://127.0.0.1?connect.timeout=500", FreePorts.next(), Map.of()).close());
            assertThat(rootMessages(portless)).containsPattern("Redis (registry|metadata report|configuration centre) redis://127.0.0.1:6379/0 cannot start");
        }
        Throwable written = catchThrowable(() -> DubboApps.startProvider("port-9090",
                "redis://127.0.0.1:9090?connect.timeout=500", FreePorts.next(), Map.of()).close());
        assertThat(rootMessages(written)).containsPattern("Redis (registry|metadata report|configuration centre) redis://127.0.0.1:9090/0 cannot start");
    }

    @Test
    void anInvalidSettingFailsStartUpEvenWithCheckFalse() {
        Throwable failure = catchThrowable(() -> DubboApps.startProvider("typo", "redis://127.0.0.1:6390?check=false&cluster=mirror",
                FreePorts.next(), Map.of()).close());
        assertThat(failure).as("start-up with an invalid setting").isNotNull();
        assertThat(rootMessages(failure)).contains("Invalid Redis registry setting 'cluster'").contains("mirror");
        Throwable range = catchThrowable(() -> DubboApps.startProvider("range", "redis://127.0.0.1:6390?check=false&timeout="
                + Long.MAX_VALUE, FreePorts.next(), Map.of()).close());
        assertThat(rootMessages(range)).contains("'timeout'").contains("from 1 to 600000");
    }

    private static String rootMessages(Throwable t) {
        StringBuilder all = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            all.append(c.getClass().getSimpleName()).append(": ").append(c.getMessage()).append('\n');
        }
        return all.toString();
    }
}
