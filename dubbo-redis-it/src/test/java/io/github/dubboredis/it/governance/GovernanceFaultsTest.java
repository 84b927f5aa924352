package io.github.dubboredis.it.governance;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.dubbo.config.bootstrap.DubboBootstrap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.github.dubboredis.config.RegistryAddress;
import io.github.dubboredis.config.SettingsParser;
import io.github.dubboredis.demo.GreetingService;
import io.github.dubboredis.internal.configcenter.ConfigCenter;
import io.github.dubboredis.internal.configcenter.ConfigCenterObserver;
import io.github.dubboredis.internal.lettuce.LettuceRuntime;
import io.github.dubboredis.internal.store.StoreHandle;
import io.github.dubboredis.testkit.FreePorts;
import io.github.dubboredis.testkit.RedisServer;
import io.github.dubboredis.testkit.TcpProxy;

/**
 * Governance rules through faults, with real applications calling: a rule published while the consumer was cut
 * off from Redis takes effect when the link heals; Redis restarted empty takes no rule away from a running
 * consumer (its calls keep obeying while providers register again) until an operator publishes it again.
 */
class GovernanceFaultsTest {

    private static final String SERVICE = GreetingService.class.getName();
    private static final String KEY = SERVICE + "::.condition-router";
    private static final String FAST = "?session=4000&resync.period=1000&reconnect.period=300&timeout=1000&connect.timeout=1000"
            + "&check=false&retry.period=500";

    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    private <T extends AutoCloseable> T later(T c) {
        toClose.add(c);
        return c;
    }

    private DubboBootstrap app(DubboBootstrap bootstrap) {
        toClose.add(bootstrap::stop);
        return bootstrap;
    }

    private ConfigCenter admin(RedisServer redis) {
        LettuceRuntime runtime = later(new LettuceRuntime("admin"));
        StoreHandle handle = later(runtime.acquire(SettingsParser.parse(new RegistryAddress("127.0.0.1", redis.port(), null, null,
                Map.of())).connection(), true));
        return later(new ConfigCenter(handle.store(), "dubbo", 0, ConfigCenterObserver.NONE, Runnable::run));
    }

    private static String toPort(int port) {
        return """
                configVersion: v3.0
                scope: service
                key: %s
                force: true
                enabled: true
                conditions:
                  - "=> port=%d"
                """.formatted(SERVICE, port);
    }

    @Test
    void aRulePublishedWhileTheConsumerWasCutOffTakesEffectWhenTheLinkHeals() throws Exception {
        RedisServer redis = later(RedisServer.startDefault());
        TcpProxy proxy = later(new TcpProxy("127.0.0.1", redis.port()));
        int portA = FreePorts.next();
        int portB = FreePorts.next();
        app(GovernanceApps.provider("provider-a", "redis://" + redis.address() + FAST, portA));
        app(GovernanceApps.provider("provider-b", "redis://" + redis.address() + FAST, portB));
        GovernanceApps.Consumer consumer = GovernanceApps.consumer("redis://" + proxy.address() + FAST);
        app(consumer.bootstrap());
        RuleCalls calls = later(new RuleCalls(consumer.service()));
        calls.millisUntilFirst(System.nanoTime(), "provider-a"::equals);
        calls.millisUntilFirst(System.nanoTime(), "provider-b"::equals);
        ConfigCenter admin = admin(redis);

        proxy.cut();
        admin.put("dubbo", KEY, toPort(portB)).join();
        Thread.sleep(1500);
        long cut = System.nanoTime() - 1_000_000_000L;
        assertThat(calls.servedSince(cut)).as("cut off, the consumer does not know the rule yet").contains("provider-a");

        long healed = System.nanoTime();
        proxy.heal();
        long effect = calls.millisUntilObeyed(healed, "provider-b"::equals, 200);
        System.out.printf("time-to-effect: a rule published while the consumer was cut off was obeyed %d ms after the link "
                + "healed (reconnect.period=300)%n", effect);
        assertThat(calls.failuresSince(0)).isEmpty();
    }

    @Test
    void redisRestartedEmptyTakesNoRuleAwayFromARunningConsumer() throws Exception {
        RedisServer redis = later(RedisServer.startDefault());
        String registry = "redis://" + redis.address() + FAST;
        int portA = FreePorts.next();
        int portB = FreePorts.next();
        app(GovernanceApps.provider("provider-a", registry, portA));
        app(GovernanceApps.provider("provider-b", registry, portB));
        GovernanceApps.Consumer consumer = GovernanceApps.consumer(registry);
        app(consumer.bootstrap());
        RuleCalls calls = later(new RuleCalls(consumer.service()));
        calls.millisUntilFirst(System.nanoTime(), "provider-a"::equals);
        ConfigCenter admin = admin(redis);
        long published = System.nanoTime();
        admin.put("dubbo", KEY, toPort(portB)).join();
        calls.millisUntilObeyed(published, "provider-b"::equals, 200);

        long restarted = System.nanoTime();
        redis.restartEmpty();
        Thread.sleep(6000); // reconnects, providers register again, several anti-entropy passes (1 s)
        assertThat(calls.servedSince(restarted)).as("calls after Redis came back empty").isNotEmpty()
                .allMatch(served -> served == null || served.equals("provider-b"));

        long republished = System.nanoTime();
        admin.put("dubbo", KEY, toPort(portA)).join(); // the operator restores (here: changes) the rule
        long effect = calls.millisUntilObeyed(republished, "provider-a"::equals, 200);
        System.out.printf("time-to-effect: after Redis restarted empty the held rule kept every call on provider-b; the "
                + "rule published again took effect after %d ms%n", effect);
        assertThat(calls.failuresSince(restarted)).as("failed calls after the restart").isEmpty();
    }
}
