package io.github.dubboredis.dubbo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.apache.dubbo.common.URL;
import org.apache.dubbo.config.ApplicationConfig;
import org.apache.dubbo.registry.ListenerRegistryWrapper;
import org.apache.dubbo.registry.Registry;
import org.apache.dubbo.registry.RegistryFactory;
import org.apache.dubbo.rpc.model.ApplicationModel;
import org.apache.dubbo.rpc.model.FrameworkModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.github.dubboredis.testkit.RedisPerClass;
import io.github.dubboredis.testkit.RespClient;

/**
 * The connections and threads belong to a lifecycle Dubbo owns: two Dubbo framework models in one JVM share
 * nothing, and destroying one leaves behind no thread and no connection of its own while the other keeps
 * working.
 */
class RuntimeLifecycleTest {

    @RegisterExtension
    static final RedisPerClass redis = new RedisPerClass();

    private static final String SERVICE = "com.foo.Lifecycle";

    private record Dubbo(FrameworkModel framework, ApplicationModel app, Registry registry) {
    }

    private static Dubbo start(String application) {
        FrameworkModel framework = new FrameworkModel();
        ApplicationModel app = framework.newApplication();
        app.getApplicationConfigManager().setApplication(new ApplicationConfig(application));
        URL url = URL.valueOf("redis://" + redis.address() + "?file-cache=false&group=lifecycle").setScopeModel(app);
        Registry registry = app.getExtensionLoader(RegistryFactory.class).getExtension("redis").getRegistry(url);
        return new Dubbo(framework, app, registry);
    }

    private static URL provider(Dubbo dubbo, String host) {
        return URL.valueOf("dubbo://" + host + ":20880/" + SERVICE + "?interface=" + SERVICE).setScopeModel(dubbo.app());
    }

    private static List<String> threadsOf(String application) {
        List<String> names = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.isAlive() && t.getName().startsWith("dubbo-redis-" + application + "-")) {
                names.add(t.getName());
            }
        }
        return names;
    }

    /** Our connections of one application: the client name with the runtime's, by the peer address. */
    private static int connections(RespClient raw) {
        int n = 0;
        for (String line : raw.string("CLIENT", "LIST").split("\n")) {
            if (line.contains("name=dubbo-redis-registry")) {
                n++;
            }
        }
        return n;
    }

    @Test
    void twoFrameworkModelsAreIndependentAndDestroyingOneLeavesNothingBehind() {
        try (RespClient raw = redis.client()) {
            Dubbo alpha = start("alpha");
            Dubbo beta = start("beta");
            try {
                alpha.registry().register(provider(alpha, "10.0.0.1"));
                beta.registry().register(provider(beta, "10.0.0.2"));
                assertThat(threadsOf("alpha")).isNotEmpty();
                assertThat(threadsOf("beta")).isNotEmpty();
                int both = connections(raw);
                assertThat(both).as("connections of two runtimes").isEqualTo(4); // commands + pub/sub, each

                alpha.framework().destroy();

                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                    assertThat(threadsOf("alpha")).as("alpha's threads after its destroy").isEmpty();
                    assertThat(connections(raw)).as("connections after alpha's destroy").isEqualTo(2);
                });
                // Beta is untouched: it still registers, reads and keeps its threads.
                beta.registry().register(provider(beta, "10.0.0.3"));
                assertThat(beta.registry().lookup(URL.valueOf("consumer://10.0.0.9/" + SERVICE + "?interface=" + SERVICE
                        + "&category=providers").setScopeModel(beta.app())))
                        .extracting(URL::getHost).containsExactlyInAnyOrder("10.0.0.2", "10.0.0.3");
                assertThat(threadsOf("beta")).isNotEmpty();
                assertThat(((RedisRegistry) ((ListenerRegistryWrapper) beta.registry()).getRegistry()).isAvailable()).isTrue();
            } finally {
                alpha.framework().destroy();
                beta.framework().destroy();
            }
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                assertThat(threadsOf("beta")).as("beta's threads after its destroy").isEmpty();
                assertThat(connections(raw)).as("connections after both are destroyed").isZero();
            });
        }
    }
}
