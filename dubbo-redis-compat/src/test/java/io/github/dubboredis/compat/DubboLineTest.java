package io.github.dubboredis.compat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import org.apache.dubbo.common.Version;
import org.apache.dubbo.config.ApplicationConfig;
import org.apache.dubbo.config.ProtocolConfig;
import org.apache.dubbo.config.ReferenceConfig;
import org.apache.dubbo.config.RegistryConfig;
import org.apache.dubbo.config.ServiceConfig;
import org.apache.dubbo.config.bootstrap.DubboBootstrap;
import org.apache.dubbo.rpc.model.FrameworkModel;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.github.dubboredis.testkit.FreePorts;
import io.github.dubboredis.testkit.RedisServer;

/**
 * A provider and a consumer of one Dubbo line, each in a framework model of its own (as two processes), find each
 * other through the Redis registry and call, at interface level and at application level, on the Netty that Dubbo
 * line brings.
 */
class DubboLineTest {

    @ParameterizedTest
    @ValueSource(strings = {"FORCE_INTERFACE", "FORCE_APPLICATION"})
    void aProviderAndAConsumerCallEachOtherThroughRedis(String step) {
        assertThat(Version.getVersion()).isEqualTo(System.getProperty("expected.dubbo.version"));
        String netty = io.netty.util.Version.identify().get("netty-common").artifactVersion();
        assertThat(netty).as("Netty brought by Dubbo %s", Version.getVersion())
                .startsWith(Version.getVersion().startsWith("3.2") ? "4.1." : "4.2.");
        System.out.printf("Dubbo %s on Netty %s, %s%n", Version.getVersion(), netty, step);

        try (RedisServer redis = RedisServer.startDefault()) {
            String registry = "redis://" + redis.address() + "?file-cache=false";
            DubboBootstrap provider = DubboBootstrap.newInstance(new FrameworkModel());
            ServiceConfig<Greeting> service = new ServiceConfig<>();
            service.setInterface(Greeting.class);
            service.setRef(name -> "Hello, " + name);
            provider.application(application("compat-provider", step)).registry(new RegistryConfig(registry))
                    .protocol(new ProtocolConfig("dubbo", FreePorts.next())).service(service).start();

            DubboBootstrap consumer = DubboBootstrap.newInstance(new FrameworkModel());
            ReferenceConfig<Greeting> reference = new ReferenceConfig<>();
            reference.setInterface(Greeting.class);
            reference.setCheck(false);
            reference.setProvidedBy("compat-provider");
            consumer.application(application("compat-consumer", step)).registry(new RegistryConfig(registry))
                    .reference(reference).start();
            try {
                Greeting greeting = reference.get();
                await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                        .until(() -> greeting.greet(step).equals("Hello, " + step));
            } finally {
                consumer.stop();
                provider.stop();
            }
        }
    }

    private static ApplicationConfig application(String name, String step) {
        ApplicationConfig app = new ApplicationConfig(name);
        app.setQosEnable(false);
        Map<String, String> parameters = new HashMap<>();
        parameters.put("migration.step", step);
        app.setParameters(parameters);
        return app;
    }
}
