package io.github.dubboredis.dubbo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.dubbo.common.URL;
import org.apache.dubbo.metadata.MappingChangedEvent;
import org.apache.dubbo.metadata.MappingListener;
import org.apache.dubbo.metadata.report.MetadataReport;
import org.apache.dubbo.metadata.report.MetadataReportFactory;
import org.apache.dubbo.registry.client.DefaultServiceInstance;
import org.apache.dubbo.registry.client.ServiceDiscovery;
import org.apache.dubbo.registry.client.ServiceDiscoveryFactory;
import org.apache.dubbo.registry.client.ServiceInstance;
import org.apache.dubbo.registry.client.event.ServiceInstancesChangedEvent;
import org.apache.dubbo.registry.client.event.listener.ServiceInstancesChangedListener;
import org.apache.dubbo.rpc.model.ApplicationModel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.github.dubboredis.internal.engine.RegistryEngine;
import io.github.dubboredis.internal.model.CategoryKey;
import io.github.dubboredis.support.Registries;
import io.github.dubboredis.testkit.RedisServer;
import io.github.dubboredis.testkit.RespClient;

/**
 * The application-level SPIs through Dubbo's own lookups: the {@code redis} ServiceDiscovery (really
 * ours, not Dubbo's silent no-op) at scale, and the {@code redis} metadata report's mapping.
 */
class ServiceDiscoveryAndMappingTest {

    private static RedisServer redis;
    private static final Registries applications = new Registries();

    @BeforeAll
    static void start() {
        redis = RedisServer.startDefault();
    }

    @AfterAll
    static void stop() {
        applications.close();
        redis.close();
    }

    private static ApplicationModel newApp(String name) {
        return applications.newApplication(name);
    }

    private static URL url(ApplicationModel app, String query) {
        return URL.valueOf("redis://" + redis.address() + "?file-cache=false&delay-notification=0&" + query).setScopeModel(app);
    }

    @Test
    void dubboFindsTheRedisServiceDiscoveryByName() {
        ApplicationModel app = newApp("lookup");
        ServiceDiscovery discovery = ServiceDiscoveryFactory.getExtension(url(app, "")).getServiceDiscovery(url(app, ""));
        assertThat(discovery).isInstanceOf(RedisServiceDiscovery.class);
        MetadataReport report = app.getExtensionLoader(MetadataReportFactory.class).getExtension("redis")
                .getMetadataReport(url(app, "").setPath(MetadataReport.class.getName()));
        assertThat(report).isInstanceOf(RedisMetadataReport.class);
    }

    @Test
    void fiveHundredInstancesOfOneApplicationAreServed() throws Exception {
        ApplicationModel consumerApp = newApp("big-consumer");
        RedisServiceDiscovery discovery = (RedisServiceDiscovery) ServiceDiscoveryFactory.getExtension(url(consumerApp, "group=big"))
                .getServiceDiscovery(url(consumerApp, "group=big"));
        RegistryEngine writer = discovery.engine();
        CategoryKey key = writer.keyspace().instancesKey("big-app");
        List<CompletableFuture<Void>> writes = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            DefaultServiceInstance instance = new DefaultServiceInstance("big-app", "10.1." + (i / 250) + "." + (i % 250), 20880, consumerApp);
            instance.getMetadata().put("dubbo.metadata.revision", "r1");
            writes.add(writer.registrations().register(key, InstanceCodec.encode(instance), true));
        }
        CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).join();

        List<ServiceInstancesChangedEvent> events = new CopyOnWriteArrayList<>();
        ServiceInstancesChangedListener listener = new ServiceInstancesChangedListener(Set.of("big-app"), discovery) {
            @Override
            public void onEvent(ServiceInstancesChangedEvent event) {
                events.add(event);
            }
        };
        long start = System.nanoTime();
        discovery.addServiceInstancesChangedListener(listener);
        await().atMost(Duration.ofSeconds(10)).until(() -> events.stream().anyMatch(e -> e.getServiceInstances().size() == 500));
        long firstFull = (System.nanoTime() - start) / 1_000_000;
        List<ServiceInstance> instances = discovery.getInstances("big-app");
        System.out.printf("500 instances of one application: first full list after %d ms%n", firstFull);
        assertThat(instances).hasSize(500);
        assertThat(instances).extracting(ServiceInstance::getHost).doesNotHaveDuplicates();
        assertThat(discovery.getServices()).contains("big-app");

        // A new instance is passed on; the listener keeps receiving full lists.
        DefaultServiceInstance late = new DefaultServiceInstance("big-app", "10.2.0.1", 20880, consumerApp);
        writer.registrations().register(key, InstanceCodec.encode(late), true).join();
        await().atMost(Duration.ofSeconds(5)).until(() -> events.get(events.size() - 1).getServiceInstances().size() == 501);
        discovery.removeServiceInstancesChangedListener(listener);
    }

    @Test
    void instanceEntriesThatAreNotInstancesAreSkipped() {
        ApplicationModel app = newApp("garbage-reader");
        RedisServiceDiscovery discovery = (RedisServiceDiscovery) ServiceDiscoveryFactory.getExtension(url(app, "group=garbage"))
                .getServiceDiscovery(url(app, "group=garbage"));
        try (RespClient raw = redis.client()) {
            String future = Long.toString(System.currentTimeMillis() + 60_000);
            raw.call("HSET", "dubbo-redis:/garbage/:instances:app", "{not json", future, "{\"host\":\"x\"}", future,
                    InstanceCodec.encode(new DefaultServiceInstance("app", "10.0.0.1", 1, app)), future);
        }
        assertThat(discovery.getInstances("app")).extracting(ServiceInstance::getHost).containsExactly("10.0.0.1");
    }

    @Test
    void theMappingIsAddedAtomicallyAndListenersHearChanges() throws Exception {
        ApplicationModel app = newApp("mapper");
        MetadataReport report = app.getExtensionLoader(MetadataReportFactory.class).getExtension("redis")
                .getMetadataReport(url(app, "group=maptest").setPath(MetadataReport.class.getName()));
        String service = "com.foo.Mapped";
        List<MappingChangedEvent> heard = new CopyOnWriteArrayList<>();
        MappingListener listener = new MappingListener() {
            @Override
            public void onEvent(MappingChangedEvent event) {
                heard.add(event);
            }

            @Override
            public void stop() {
            }
        };
        assertThat(report.getServiceAppMapping(service, listener, null)).isEmpty();

        // Twenty applications register their mapping at once: none may be lost.
        List<CompletableFuture<Boolean>> adds = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            int n = i;
            adds.add(CompletableFuture.supplyAsync(() -> report.registerServiceAppMapping(service, "app-" + n, null)));
        }
        adds.forEach(CompletableFuture::join);
        Set<String> all = report.getServiceAppMapping(service, null);
        assertThat(all).hasSize(20);
        await().atMost(Duration.ofSeconds(5)).until(() -> !heard.isEmpty() && heard.get(heard.size() - 1).getApps().size() == 20);

        try (RespClient raw = redis.client()) {
            assertThat(raw.string("HGET", "maptest:mapping", service).split(",")).hasSize(20);
        }
        // Dubbo's compare-and-set path: a stale ticket is refused, the current one accepted; null means "absent".
        String current = report.getConfigItem(service, "mapping").getContent();
        assertThat(report.registerServiceAppMapping(service, "mapping", current + ",x", "stale")).isFalse();
        assertThat(report.registerServiceAppMapping(service, "mapping", current + ",x", current)).isTrue();
        assertThat(report.registerServiceAppMapping(service, "mapping", "y", null)).isFalse();
        assertThat(report.registerServiceAppMapping("com.foo.New", "mapping", "y", null)).isTrue();
        report.removeServiceAppMappingListener(service, listener);
    }
}
