package io.github.dubboredis.dubbo;

import static org.apache.dubbo.metadata.RevisionResolver.EMPTY_REVISION;
import static org.apache.dubbo.registry.client.metadata.ServiceInstanceMetadataUtils.getExportedServicesRevision;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.dubbo.common.URL;
import org.apache.dubbo.common.threadpool.manager.FrameworkExecutorRepository;
import org.apache.dubbo.registry.RegistryNotifier;
import org.apache.dubbo.registry.client.AbstractServiceDiscovery;
import org.apache.dubbo.registry.client.ServiceInstance;
import org.apache.dubbo.registry.client.event.ServiceInstancesChangedEvent;
import org.apache.dubbo.registry.client.event.listener.ServiceInstancesChangedListener;
import org.apache.dubbo.rpc.model.ApplicationModel;

import io.github.dubboredis.internal.engine.RegistryEngine;
import io.github.dubboredis.internal.model.CategoryKey;
import io.github.dubboredis.internal.model.KeySnapshot;
import io.github.dubboredis.internal.model.RegistryEntry;
import io.github.dubboredis.internal.watch.Watch;

/**
 * Dubbo 3's application-level service discovery on Redis. Each application's instances are one hash,
 * outside the interface-level root ({@code dubbo-redis:/dubbo/:instances:<app>}), with the same leases
 * as interface-level entries: renewed by their owner, expiring on Redis's clock, reaped by any registry,
 * and watched the same way (one exact channel per application on the shared pub/sub connection,
 * re-read on change, after reconnects and by anti-entropy). It shares its Redis connections with the
 * interface-level registry of the same address.
 */
public class RedisServiceDiscovery extends AbstractServiceDiscovery {

    private final RegistryEngine engine;
    /** The field each of our instances was written as, by instance id (host:port). */
    private final Map<String, String> registeredFields = new ConcurrentHashMap<>();
    private final Map<ServiceInstancesChangedListener, List<Watch>> watches = new java.util.HashMap<>();

    public RedisServiceDiscovery(ApplicationModel applicationModel, URL registryURL, RegistryEngine engine) {
        super(applicationModel, registryURL);
        this.engine = engine;
    }

    public RegistryEngine engine() {
        return engine;
    }

    private CategoryKey keyOf(String application) {
        return engine.keyspace().instancesKey(application);
    }

    @Override
    protected void doRegister(ServiceInstance serviceInstance) {
        String id = InstanceCodec.id(serviceInstance);
        String field = InstanceCodec.encode(serviceInstance);
        String previous = registeredFields.put(id, field);
        CategoryKey key = keyOf(serviceInstance.getServiceName());
        RedisCalls.await(engine, previous != null && !previous.equals(field)
                ? engine.registrations().replace(key, previous, field, true)
                : engine.registrations().register(key, field, true), "register instance " + id);
    }

    /** An instance whose metadata changed replaces the old one in one step: no reader sees neither. */
    @Override
    protected void doUpdate(ServiceInstance oldServiceInstance, ServiceInstance newServiceInstance) {
        if (!InstanceCodec.id(oldServiceInstance).equals(InstanceCodec.id(newServiceInstance))
                || !oldServiceInstance.getServiceName().equals(newServiceInstance.getServiceName())
                || EMPTY_REVISION.equals(getExportedServicesRevision(newServiceInstance))) {
            super.doUpdate(oldServiceInstance, newServiceInstance);
            return;
        }
        this.serviceInstance = newServiceInstance;
        reportMetadata(newServiceInstance.getServiceMetadata());
        doRegister(newServiceInstance);
    }

    @Override
    protected void doUnregister(ServiceInstance serviceInstance) {
        String id = InstanceCodec.id(serviceInstance);
        String field = registeredFields.remove(id);
        RedisCalls.await(engine, engine.registrations().unregister(keyOf(serviceInstance.getServiceName()),
                field != null ? field : InstanceCodec.encode(serviceInstance)), "unregister instance " + id);
    }

    @Override
    public Set<String> getServices() {
        return RedisCalls.await(engine, engine.applications().list(), "list applications");
    }

    @Override
    public List<ServiceInstance> getInstances(String serviceName) {
        CategoryKey key = keyOf(serviceName);
        Map<String, KeySnapshot> read = RedisCalls.await(engine, engine.subscriptions().readNow(List.of(key)),
                "read instances of " + serviceName);
        KeySnapshot snapshot = read == null ? null : read.get(key.redisKey());
        return snapshot == null ? List.of() : decode(snapshot);
    }

    private List<ServiceInstance> decode(KeySnapshot snapshot) {
        List<ServiceInstance> instances = new ArrayList<>(snapshot.liveEntries().size());
        int bad = 0;
        String example = null;
        String reason = null;
        for (RegistryEntry entry : snapshot.liveEntries()) {
            try {
                instances.add(InstanceCodec.decode(entry.field(), applicationModel));
            } catch (IllegalArgumentException e) {
                if (bad++ == 0) {
                    example = entry.field();
                    reason = e.getMessage();
                }
            }
        }
        if (bad > 0) {
            engine.subscriptions().reportMalformedEntries(snapshot.key().redisKey(), bad, example, reason);
        }
        return instances;
    }

    /**
     * Watches each application the listener wants. Changes are passed on through Dubbo's
     * {@link RegistryNotifier} on Dubbo's discovery notification executor, as its ZooKeeper discovery does
     * (so {@code delay-notification} applies), never on the registry's own thread.
     */
    @Override
    public void addServiceInstancesChangedListener(ServiceInstancesChangedListener listener) {
        // Under one lock with the removal, and the starts queued inside it: a removal that comes at once
        // finds every watch, and its stops queue behind the starts (the engine runs them in order).
        synchronized (watches) {
            if (!instanceListeners.add(listener)) {
                return;
            }
            List<Watch> toStart = new ArrayList<>();
            for (String application : listener.getServiceNames()) {
                RegistryNotifier notifier = notifierFor(listener, application);
                toStart.add(Watch.of(List.of(keyOf(application)), snapshots -> {
                    for (KeySnapshot s : snapshots) {
                        notifier.notify(decode(s));
                    }
                }));
            }
            watches.put(listener, toStart);
            for (Watch watch : toStart) {
                // Not waited for: Dubbo reads the current instances itself right after adding the listener.
                engine.subscriptions().start(watch);
            }
        }
    }

    private RegistryNotifier notifierFor(ServiceInstancesChangedListener listener, String application) {
        return new RegistryNotifier(getUrl(), getDelay(), applicationModel.getFrameworkModel().getBeanFactory()
                .getBean(FrameworkExecutorRepository.class).getServiceDiscoveryAddressNotificationExecutor()) {
            @Override
            @SuppressWarnings("unchecked")
            protected void doNotify(Object rawAddresses) {
                listener.onEvent(new ServiceInstancesChangedEvent(application, (List<ServiceInstance>) rawAddresses));
            }
        };
    }

    @Override
    public void removeServiceInstancesChangedListener(ServiceInstancesChangedListener listener) {
        synchronized (watches) {
            instanceListeners.remove(listener);
            List<Watch> stopped = watches.remove(listener);
            if (stopped != null) {
                for (Watch w : stopped) {
                    engine.subscriptions().stop(w);
                }
            }
        }
    }

    @Override
    public boolean isAvailable() {
        return !isDestroy() && engine.isConnected();
    }

    @Override
    protected void doDestroy() {
        List<ServiceInstancesChangedListener> listening;
        synchronized (watches) {
            listening = List.copyOf(watches.keySet());
        }
        for (ServiceInstancesChangedListener l : listening) {
            removeServiceInstancesChangedListener(l);
        }
        try {
            if (serviceInstance != null && !registeredFields.isEmpty()) {
                doUnregister(serviceInstance); // a graceful stop leaves nothing to reap
            }
        } catch (RuntimeException ignored) {
            // Redis is away: the lease runs out and any registry reaps it
        } finally {
            engine.close();
        }
    }

}
