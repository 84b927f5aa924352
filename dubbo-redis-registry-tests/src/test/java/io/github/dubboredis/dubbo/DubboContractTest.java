package io.github.dubboredis.dubbo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.dubbo.common.URL;
import org.apache.dubbo.registry.RegistryFactory;
import org.apache.dubbo.registry.client.DefaultServiceInstance;
import org.apache.dubbo.registry.client.ServiceDiscoveryFactory;
import org.apache.dubbo.registry.client.event.ServiceInstancesChangedEvent;
import org.apache.dubbo.registry.client.event.listener.ServiceInstancesChangedListener;
import org.apache.dubbo.rpc.RpcException;
import org.apache.dubbo.rpc.model.ApplicationModel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.github.dubboredis.internal.model.CategoryKey;
import io.github.dubboredis.support.Registries;
import io.github.dubboredis.testkit.RedisServer;

/**
 * Dubbo's registry contract where this registry once broke it, as Dubbo's own registry test cases found: a
 * listener removed right after it was added hears nothing more; an address no registry can use fails with
 * {@link IllegalStateException} and a URL no key can be made of with {@link RpcException}, as Dubbo's
 * ZooKeeper, Multicast and old Redis registries fail.
 */
class DubboContractTest {

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

    private static URL url(ApplicationModel app, String address, String query) {
        return URL.valueOf("redis://" + address + "?file-cache=false&delay-notification=0&" + query).setScopeModel(app);
    }

    private static ServiceInstancesChangedListener recording(RedisServiceDiscovery discovery, String application,
            List<ServiceInstancesChangedEvent> events) {
        return new ServiceInstancesChangedListener(Set.of(application), discovery) {
            @Override
            public void onEvent(ServiceInstancesChangedEvent event) {
                events.add(event);
            }
        };
    }

    @Test
    void aListenerRemovedRightAfterItWasAddedHearsNothingMore() {
        ApplicationModel app = newApp("removing-consumer");
        URL registryUrl = url(app, redis.address(), "group=contract");
        RedisServiceDiscovery discovery = (RedisServiceDiscovery) ServiceDiscoveryFactory.getExtension(registryUrl)
                .getServiceDiscovery(registryUrl);
        List<ServiceInstancesChangedEvent> removedHeard = new CopyOnWriteArrayList<>();
        ServiceInstancesChangedListener removed = recording(discovery, "watched-app", removedHeard);
        // Removed before its first read can have come back: the case that once left the watch in place for good.
        discovery.addServiceInstancesChangedListener(removed);
        discovery.removeServiceInstancesChangedListener(removed);

        CategoryKey key = discovery.engine().keyspace().instancesKey("watched-app");
        DefaultServiceInstance instance = new DefaultServiceInstance("watched-app", "10.3.0.1", 20880, app);
        discovery.engine().registrations().register(key, InstanceCodec.encode(instance), true).join();
        // A listener added afterwards hears of the instance; the engine runs watch starts, stops and deliveries
        // in order, so by then the removed listener would have heard of it too.
        List<ServiceInstancesChangedEvent> witnessHeard = new CopyOnWriteArrayList<>();
        ServiceInstancesChangedListener witness = recording(discovery, "watched-app", witnessHeard);
        discovery.addServiceInstancesChangedListener(witness);
        await().atMost(Duration.ofSeconds(5)).until(() -> witnessHeard.stream().anyMatch(e -> e.getServiceInstances().size() == 1));
        DefaultServiceInstance second = new DefaultServiceInstance("watched-app", "10.3.0.2", 20880, app);
        discovery.engine().registrations().register(key, InstanceCodec.encode(second), true).join();
        await().atMost(Duration.ofSeconds(5)).until(() -> witnessHeard.stream().anyMatch(e -> e.getServiceInstances().size() == 2));
        discovery.removeServiceInstancesChangedListener(witness);

        assertThat(removedHeard).as("events told to the removed listener").isEmpty();
    }

    @Test
    void anAddressNoRegistryCanUseFailsWithIllegalStateException() {
        ApplicationModel app = newApp("any-host");
        URL anyHost = URL.valueOf("redis://0.0.0.0:6379?file-cache=false").setScopeModel(app);
        Throwable failure = catchThrowable(() -> app.getExtensionLoader(RegistryFactory.class).getExtension("redis")
                .getRegistry(anyHost));
        // Dubbo's factory wraps what the registry throws in "Can not create registry ...".
        assertThat(failure.getCause()).isInstanceOf(IllegalStateException.class).hasMessageContaining("'address'")
                .hasMessageContaining("0.0.0.0");
    }

    @Test
    void aUrlNoKeyCanBeMadeOfFailsWithRpcException() {
        try (Registries registries = new Registries()) {
            RedisRegistry registry = registries.create(redis.address(), "group=contract-urls");
            // No interface: there is no key to register under, look up or unregister from.
            URL noInterface = Registries.url(registry, "dubbo://10.0.0.1:20880/?category=providers");
            assertThat(catchThrowable(() -> registry.doRegister(noInterface))).isInstanceOf(RpcException.class)
                    .hasMessageContaining("Invalid URL for the Redis registry");
            assertThat(catchThrowable(() -> registry.doUnregister(noInterface))).isInstanceOf(RpcException.class);
            assertThat(catchThrowable(() -> registry.lookup(noInterface))).isInstanceOf(RpcException.class);
        }
    }
}
