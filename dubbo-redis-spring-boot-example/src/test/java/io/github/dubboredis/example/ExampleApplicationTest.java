package io.github.dubboredis.example;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.dubbo.common.URL;
import org.apache.dubbo.config.spring.ReferenceBean;
import org.apache.dubbo.registry.client.migration.MigrationInvoker;
import org.apache.dubbo.rpc.Invoker;
import org.apache.dubbo.rpc.cluster.ClusterInvoker;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import io.github.dubboredis.testkit.RedisServer;
import io.github.dubboredis.testkit.RespClient;

/**
 * Boots the example exactly as a user would run it, with its application.yml, against a real Redis
 * (only the address is given, as a command-line argument), and makes a call that goes through the
 * registry and the network.
 */
class ExampleApplicationTest {

    private static final String PROVIDERS_KEY = "/dubbo/" + HelloService.class.getName() + "/providers";

    @Test
    void bootsOnTheRedisRegistryAndCallsThroughIt() {
        try (RedisServer redis = RedisServer.startDefault(); RespClient raw = redis.client()) {
            try (ConfigurableApplicationContext context = new SpringApplicationBuilder(ExampleApplication.class)
                    .run("--dubbo.registry.address=redis://" + redis.address(),
                            // In the tests' loopback-only network namespace Dubbo complains about every lookup of a network interface.
                            "--logging.level.org.apache.dubbo.common.utils.NetUtils=ERROR")) {
                HelloClient client = context.getBean(HelloClient.class);

                await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
                        .until(() -> client.greet("Redis").equals("Hello, Redis, from redis-registry-example"));
                assertThat(client.greet("Spring Boot")).isEqualTo("Hello, Spring Boot, from redis-registry-example");
                // What the consumer calls is what the registry told it: a dubbo:// provider on loopback, not the in-JVM shortcut.
                List<URL> known = providersKnownTo(context);
                assertThat(known).hasSize(1);
                URL served = known.get(0);
                assertThat(served.getProtocol()).isEqualTo("dubbo");
                assertThat(served.getHost()).isEqualTo("127.0.0.1");

                // The registry holds the provider in the layout the older Redis registry used.
                Map<String, String> providers = raw.hgetall(PROVIDERS_KEY);
                assertThat(providers).hasSize(1);
                assertThat(providers.keySet().iterator().next())
                        .startsWith("dubbo://127.0.0.1:" + served.getPort() + "/" + HelloService.class.getName());
                // Dubbo 3's defaults register the application too (application-level discovery).
                assertThat(raw.scan("*redis-registry-example*")).isNotEmpty();
            }
            // A graceful shutdown takes the provider out of the registry at once.
            assertThat(raw.hgetall(PROVIDERS_KEY)).isEmpty();
        }
    }

    private static List<URL> providersKnownTo(ConfigurableApplicationContext context) {
        ReferenceBean<?> reference = context.getBeansOfType(ReferenceBean.class).values().iterator().next();
        Invoker<?> invoker = reference.getReferenceConfig().getInvoker();
        if (invoker instanceof MigrationInvoker<?> migration && migration.getCurrentAvailableInvoker() != null) {
            invoker = migration.getCurrentAvailableInvoker();
        }
        List<URL> urls = new ArrayList<>();
        for (Invoker<?> i : ((ClusterInvoker<?>) invoker).getDirectory().getAllInvokers()) {
            urls.add(i.getUrl());
        }
        return urls;
    }
}
