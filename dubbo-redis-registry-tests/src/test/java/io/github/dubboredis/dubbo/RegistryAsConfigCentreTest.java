package io.github.dubboredis.dubbo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.dubbo.common.config.Environment;
import org.apache.dubbo.common.config.configcenter.DynamicConfiguration;
import org.apache.dubbo.common.config.configcenter.wrapper.CompositeDynamicConfiguration;
import org.apache.dubbo.config.ApplicationConfig;
import org.apache.dubbo.config.ConfigCenterConfig;
import org.apache.dubbo.config.RegistryConfig;
import org.apache.dubbo.config.bootstrap.DubboBootstrap;
import org.apache.dubbo.rpc.model.FrameworkModel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.github.dubboredis.testkit.FreePorts;
import io.github.dubboredis.testkit.RedisPerClass;
import io.github.dubboredis.testkit.RedisServer;
import io.github.dubboredis.testkit.RespClient;

/**
 * Dubbo's "registry as configuration centre" default, as applications meet it: the {@code redis} extension
 * existing is enough for a {@code redis://} registry alone to give the application a Redis configuration centre
 * (with the registry's parameters and group), on the registry's connections; without Redis, start-up fails saying
 * why and how not to, unless the registry asked to start without Redis.
 */
class RegistryAsConfigCentreTest {

    @RegisterExtension
    static final RedisPerClass redis = new RedisPerClass();

    private final List<DubboBootstrap> started = new ArrayList<>();

    @AfterEach
    void stop() {
        started.forEach(DubboBootstrap::destroy);
    }

    private DubboBootstrap application(String name, RegistryConfig registry) {
        DubboBootstrap bootstrap = DubboBootstrap.newInstance(new FrameworkModel());
        started.add(bootstrap);
        ApplicationConfig app = new ApplicationConfig(name);
        app.setQosEnable(false);
        registry.setParameters(new java.util.HashMap<>(Map.of("file-cache", "false")));
        return bootstrap.application(app).registry(registry);
    }

    private static Environment environment(DubboBootstrap bootstrap) {
        return bootstrap.getApplicationModel().modelEnvironment();
    }

    private static List<DynamicConfiguration> centres(DubboBootstrap bootstrap) {
        DynamicConfiguration c = environment(bootstrap).getDynamicConfiguration().orElse(null);
        return c instanceof CompositeDynamicConfiguration composite ? List.copyOf(composite.getInnerConfigurations())
                : c == null ? List.of() : List.of(c);
    }

    @Test
    void aRedisRegistryAloneMakesRedisTheConfigurationCentreOnTheSameConnections() {
        try (RespClient raw = redis.client()) {
            raw.call("HSET", "dubbo-redis:{config:dubbo:dubbo}", "dubbo.properties", "dubbo.consumer.timeout=4321");
            raw.call("HSET", "dubbo-redis:{config:dubbo:centre-app}", "dubbo.properties", "dubbo.provider.retries=7");
            DubboBootstrap app = application("centre-app", new RegistryConfig("redis://" + redis.address())).start();

            assertThat(centres(app)).singleElement().isInstanceOf(RedisDynamicConfiguration.class);
            assertThat(environment(app).getExternalConfigMap()).containsEntry("dubbo.consumer.timeout", "4321");
            assertThat(environment(app).getAppExternalConfigMap()).containsEntry("dubbo.provider.retries", "7");
            long ours = List.of(raw.string("CLIENT", "LIST").split("\n")).stream()
                    .filter(l -> l.contains("name=dubbo-redis-registry")).count();
            assertThat(ours).as("the registry, metadata report and configuration centre share two connections").isEqualTo(2);
        }
    }

    @Test
    void anExplicitConfigCenterAddressIsUsedAndSharesTheRegistrysConnections() {
        try (RespClient raw = redis.client()) {
            raw.call("HSET", "dubbo-redis:{config:explicit:dubbo}", "dubbo.properties", "dubbo.consumer.timeout=2222");
            DubboBootstrap app = application("explicit-app", new RegistryConfig("redis://" + redis.address()));
            ConfigCenterConfig centre = new ConfigCenterConfig();
            centre.setAddress("redis://" + redis.address());
            centre.setNamespace("explicit");
            app.configCenter(centre).start();

            assertThat(centres(app)).singleElement().isInstanceOf(RedisDynamicConfiguration.class);
            assertThat(environment(app).getExternalConfigMap()).containsEntry("dubbo.consumer.timeout", "2222");
            long ours = List.of(raw.string("CLIENT", "LIST").split("\n")).stream()
                    .filter(l -> l.contains("name=dubbo-redis-registry")).count();
            assertThat(ours).as("centre (timeout=30000 on its URL), registry and metadata report share two connections")
                    .isEqualTo(2);
        }
    }

    @Test
    void theRegistryGroupBecomesTheCentresNamespaceAndGroupAsDubboDoesIt() {
        try (RespClient raw = redis.client()) {
            raw.call("HSET", "dubbo-redis:{config:staging:staging}", "dubbo.properties", "dubbo.consumer.timeout=1111");
            raw.call("HSET", "dubbo-redis:{config:staging:dubbo}", "staged.tag-router", "a rule of the staging namespace");
            RegistryConfig registry = new RegistryConfig("redis://" + redis.address());
            registry.setGroup("staging");
            DubboBootstrap app = application("staged-app", registry).start();

            DynamicConfiguration centre = centres(app).get(0);
            assertThat(centre.getDefaultGroup()).isEqualTo("staging");
            assertThat(environment(app).getExternalConfigMap()).containsEntry("dubbo.consumer.timeout", "1111");
            assertThat(centre.getConfig("staged.tag-router", "dubbo")).isEqualTo("a rule of the staging namespace");
        }
    }

    @Test
    void withoutRedisStartUpFailsSayingWhyAndHowToStartWithout() {
        int nothingThere = FreePorts.next();
        DubboBootstrap app = application("no-redis-app",
                new RegistryConfig("redis://127.0.0.1:" + nothingThere + "?connect.timeout=300"));

        assertThatThrownBy(app::start).satisfies(e -> assertThat(stackTrace(e))
                .contains("Redis configuration centre redis://127.0.0.1:" + nothingThere)
                .contains("set check=false on the registry").contains("dubbo.registry.use-as-config-center=false"));
    }

    private static String stackTrace(Throwable t) {
        java.io.StringWriter w = new java.io.StringWriter();
        t.printStackTrace(new java.io.PrintWriter(w));
        return w.toString();
    }

    @Test
    void aRegistryWithCheckFalseStartsWithoutRedisAndItsCentreConnectsWhenRedisComes() {
        int port = FreePorts.next();
        RegistryConfig registry = new RegistryConfig("redis://127.0.0.1:" + port + "?connect.timeout=300&reconnect.period=200");
        registry.setCheck(false);
        registry.setUseAsMetadataCenter(false); // the metadata report does not follow the registry's check (yet)
        DubboBootstrap app = application("patient-app", registry).start();
        DynamicConfiguration centre = centres(app).get(0);
        assertThat(centre).isInstanceOf(RedisDynamicConfiguration.class);

        try (RedisServer late = RedisServer.builder().port(port).build().start(); RespClient raw = late.client()) {
            raw.call("HSET", "dubbo-redis:{config:dubbo:dubbo}", "late.rule", "there now");
            await().atMost(Duration.ofSeconds(10)).until(() -> "there now".equals(centre.getConfig("late.rule", "dubbo")));
        }
    }

    @Test
    void useAsConfigCenterFalseLeavesRedisOut() {
        RegistryConfig registry = new RegistryConfig("redis://" + redis.address());
        registry.setUseAsConfigCenter(false);
        DubboBootstrap app = application("no-centre-app", registry).start();

        assertThat(centres(app)).noneMatch(c -> c instanceof RedisDynamicConfiguration);
    }
}
