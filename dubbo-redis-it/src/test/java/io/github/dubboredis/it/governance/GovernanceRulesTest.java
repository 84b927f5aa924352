package io.github.dubboredis.it.governance;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import org.apache.dubbo.common.config.configcenter.ConfigChangeType;
import org.apache.dubbo.common.config.configcenter.ConfigurationListener;
import org.apache.dubbo.common.config.configcenter.DynamicConfiguration;
import org.apache.dubbo.config.bootstrap.DubboBootstrap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.github.dubboredis.config.RegistryAddress;
import io.github.dubboredis.config.SettingsParser;
import io.github.dubboredis.demo.GreetingService;
import io.github.dubboredis.internal.configcenter.ConfigCenter;
import io.github.dubboredis.internal.configcenter.ConfigCenterObserver;
import io.github.dubboredis.internal.lettuce.LettuceRuntime;
import io.github.dubboredis.internal.store.StoreHandle;
import io.github.dubboredis.it.Loopback;
import io.github.dubboredis.testkit.FreePorts;
import io.github.dubboredis.testkit.RedisServer;
import io.github.dubboredis.testkit.RespClient;

/**
 * Governance through the Redis configuration centre, with real providers and a real consumer calling: a condition
 * rule (service and application level), a tag rule (Dubbo's tag rules are per provider application), and dynamic
 * configurators ({@code disabled=true} on one provider, service and application level), each published while the
 * consumer runs, obeyed by its calls, and reverted by its removal. The applications name no configuration centre:
 * Dubbo uses the {@code redis://} registry as one. Each rule's time to effect is printed: from the write to the first
 * call after which every call obeyed; and from the removal to the first call the rule had kept away.
 */
class GovernanceRulesTest {

    private static final String SERVICE = GreetingService.class.getName();
    private static final String A = "provider-a";
    private static final String B = "provider-b";

    private static RedisServer redis;
    private static int portA;
    private static int portB;
    private static final List<DubboBootstrap> apps = new ArrayList<>();
    private static RuleCalls calls;
    private static LettuceRuntime adminRuntime;
    private static StoreHandle adminHandle;
    private static ConfigCenter admin;
    private static final List<String> report = new ArrayList<>();
    private static final int ROUNDS = 5;
    private static DynamicConfiguration consumerCentre;

    @BeforeAll
    static void start() {
        redis = RedisServer.startDefault();
        String registry = "redis://" + redis.address();
        portA = FreePorts.next();
        portB = FreePorts.next();
        apps.add(GovernanceApps.provider(A, registry, portA));
        apps.add(GovernanceApps.provider(B, registry, portB));
        GovernanceApps.Consumer consumer = GovernanceApps.consumer(registry);
        apps.add(consumer.bootstrap());
        consumerCentre = consumer.bootstrap().getApplicationModel().modelEnvironment().getDynamicConfiguration().orElseThrow();
        try (RespClient raw = redis.client()) {
            Loopback.assertProvidersRegisteredOnLoopback(raw, "/dubbo/" + SERVICE + "/providers");
        }
        calls = new RuleCalls(consumer.service());
        calls.millisUntilFirst(System.nanoTime(), A::equals);
        calls.millisUntilFirst(System.nanoTime(), B::equals);

        // The operator's side: a tool on its own connection, as dubbo-redis-cli is.
        adminRuntime = new LettuceRuntime("admin");
        adminHandle = adminRuntime.acquire(SettingsParser.parse(new RegistryAddress("127.0.0.1", redis.port(), null, null,
                java.util.Map.of())).connection(), true);
        admin = new ConfigCenter(adminHandle.store(), "dubbo", 0, ConfigCenterObserver.NONE, Runnable::run);
    }

    @AfterAll
    static void stop() {
        System.out.printf("time to effect, median (max) of %d rounds: publish -> first call after which all obey | "
                + "publish -> a listener added after Dubbo's on the consumer's centre is called | remove -> first call the rule "
                + "had kept away%n", ROUNDS);
        report.forEach(line -> System.out.println("  " + line));
        if (calls != null) {
            calls.close();
            System.out.printf("  %d calls, %d failed%n", calls.count(), calls.failuresSince(0).size());
        }
        for (int i = apps.size() - 1; i >= 0; i--) {
            apps.get(i).stop();
        }
        if (admin != null) {
            admin.close();
            adminHandle.close();
            adminRuntime.close();
        }
        redis.close();
    }

    /**
     * Publishes a rule and waits until every call obeys it; removes it and waits until a call reaches the provider
     * it had kept away; {@value #ROUNDS} times. Records the times, and when the consumer's configuration centre
     * heard each publication (what Redis adds; the rest is Dubbo applying the rule).
     */
    private static void publishObeyAndRemove(String what, String key, String rule, Predicate<String> obeys, String keptAway) {
        List<Long> effects = new ArrayList<>();
        List<Long> heards = new ArrayList<>();
        List<Long> reverts = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            long[] heardAt = new long[1];
            ConfigurationListener heard = event -> {
                if (event.getChangeType() != ConfigChangeType.DELETED && heardAt[0] == 0) {
                    heardAt[0] = System.nanoTime();
                }
            };
            consumerCentre.addListener(key, "dubbo", heard);
            long published = System.nanoTime();
            admin.put("dubbo", key, rule).join();
            effects.add(calls.millisUntilObeyed(published, obeys, 200));
            heards.add((heardAt[0] - published) / 1_000_000);
            long removed = System.nanoTime();
            admin.remove("dubbo", key).join();
            reverts.add(calls.millisUntilFirst(removed, keptAway::equals));
            consumerCentre.removeListener(key, "dubbo", heard);
            assertThat(calls.failuresSince(published)).as("failed calls").isEmpty();
        }
        String line = String.format("%-46s %s   %s   %s", what, stats(effects), stats(heards), stats(reverts));
        report.add(line);
        System.out.println("time-to-effect: " + line);
    }

    /** Median and maximum. */
    private static String stats(List<Long> millis) {
        List<Long> sorted = millis.stream().sorted().toList();
        return String.format("%4d ms (max %4d)", sorted.get(sorted.size() / 2), sorted.get(sorted.size() - 1));
    }

    @Test
    void aServiceLevelConditionRuleSendsEveryCallToTheProviderItNamesUntilRemoved() {
        publishObeyAndRemove("condition rule, service level", SERVICE + "::.condition-router", """
                configVersion: v3.0
                scope: service
                key: %s
                force: true
                runtime: true
                enabled: true
                conditions:
                  - "=> port=%d"
                """.formatted(SERVICE, portB), B::equals, A);
    }

    @Test
    void anApplicationLevelConditionRuleOfTheConsumerSendsItsCallsToTheProviderItNames() {
        publishObeyAndRemove("condition rule, application level", GovernanceApps.CONSUMER_APP + ".condition-router", """
                configVersion: v3.0
                scope: application
                key: %s
                force: true
                runtime: true
                enabled: true
                conditions:
                  - "interface=%s => port=%d"
                """.formatted(GovernanceApps.CONSUMER_APP, SERVICE, portA), A::equals, B);
    }

    /**
     * The tagged instance's address is written {@code [::ffff:127.0.0.1]:port}: Dubbo's address matching takes a
     * loopback host for IPv6 ({@code NetUtils.isValidV4Address} excludes loopback) and refuses {@code 127.0.0.1:port}
     * (and the addresses a {@code match} tag resolves to) as "not an ipv6 pattern". On a real network the plain
     * {@code 10.0.0.5:20880} form works.
     */
    @Test
    void aTagRuleSendsTaggedCallsToTheTaggedInstanceOnly() {
        calls.tag("gray");
        try {
            long mark = System.nanoTime();
            calls.millisUntilFirst(mark, A::equals);
            calls.millisUntilFirst(mark, B::equals); // untagged instances serve tagged calls while no rule tags any
            publishObeyAndRemove("tag rule (provider application)", GovernanceApps.PROVIDER_APP + ".tag-router", """
                    configVersion: v3.0
                    force: true
                    runtime: true
                    enabled: true
                    key: %s
                    tags:
                      - name: gray
                        addresses: ["[::ffff:127.0.0.1]:%d"]
                    """.formatted(GovernanceApps.PROVIDER_APP, portA), A::equals, B);
        } finally {
            calls.tag(null);
        }
    }

    @Test
    void aServiceLevelConfiguratorDisablingOneProviderTakesItOutOfTheCalls() {
        publishObeyAndRemove("configurator disabled=true, service level", SERVICE + "::.configurators", """
                configVersion: v3.0
                scope: service
                key: %s
                enabled: true
                configs:
                  - addresses: ["127.0.0.1:%d"]
                    side: provider
                    parameters:
                      disabled: true
                """.formatted(SERVICE, portA), B::equals, A);
    }

    @Test
    void anApplicationLevelConfiguratorOfTheProviderDisablesItThroughTheRegistry() {
        publishObeyAndRemove("configurator disabled=true, application level", GovernanceApps.PROVIDER_APP + ".configurators", """
                configVersion: v3.0
                scope: application
                key: %s
                enabled: true
                configs:
                  - addresses: ["127.0.0.1:%d"]
                    side: provider
                    parameters:
                      disabled: true
                """.formatted(GovernanceApps.PROVIDER_APP, portA), B::equals, A);
    }

}
