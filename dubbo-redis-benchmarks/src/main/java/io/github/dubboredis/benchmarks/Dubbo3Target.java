package io.github.dubboredis.benchmarks;

import java.time.Duration;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.dubbo.common.URL;
import org.apache.dubbo.registry.Registry;
import org.apache.dubbo.registry.RegistryFactory;
import org.apache.dubbo.rpc.model.ApplicationModel;
import org.apache.dubbo.rpc.model.FrameworkModel;

import io.github.dubboredis.legacy.bench.BenchKit;
import io.github.dubboredis.legacy.bench.RegistryTarget;
import io.github.dubboredis.legacy.bench.ServerOps;
import io.github.dubboredis.internal.model.LeaseTimings;

/**
 * A Dubbo 3.3 registry extension ({@code redis}: this registry; {@code zookeeper}: Dubbo's own), created as
 * Dubbo creates it: by SPI, from a registry URL, each instance in a framework and application of its own,
 * as if in a process of its own.
 */
final class Dubbo3Target implements RegistryTarget {

    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private final String name;
    private final String extension;
    private final String address;
    private final String baseQuery;
    private final ServerOps server;
    private final Map<Registry, FrameworkModel> models = new IdentityHashMap<>();

    private Dubbo3Target(String name, String extension, String address, String baseQuery, ServerOps server) {
        this.name = name;
        this.extension = extension;
        this.address = address;
        this.baseQuery = baseQuery;
        this.server = server;
    }

    /** This registry: {@code redis://host:port}, defaults otherwise. */
    static Dubbo3Target ours(String address, ServerOps server) {
        return new Dubbo3Target("ours", "redis", address, "file-cache=false", server);
    }

    /**
     * Dubbo's ZooKeeper registry. {@code delay-notification=0}: otherwise its notifier sleeps until 5 s have
     * passed since its previous notification (ZookeeperRegistry.ZookeeperRegistryNotifier), which would
     * measure that setting rather than the registry.
     */
    static Dubbo3Target zookeeper(String address, ServerOps server) {
        return new Dubbo3Target("zookeeper", "zookeeper", address, "file-cache=false&delay-notification=0", server);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public ServerOps server() {
        return server;
    }

    @Override
    public Registry create(String role, int instance, Map<String, String> params) {
        FrameworkModel framework = new FrameworkModel();
        ApplicationModel app = framework.newApplication();
        StringBuilder q = new StringBuilder(baseQuery);
        if (extension.equals("redis")) {
            // Registries of one JVM with equal connection settings share one pair of connections (by design).
            // A reconnect period of its own (3.000 .. 4.999 s) gives each instance its own, as in its own process.
            q.append("&reconnect.period=").append(3000 + INSTANCES.incrementAndGet() % 2000);
        }
        for (Map.Entry<String, String> e : params.entrySet()) {
            if (!e.getKey().startsWith("bench.")) {
                q.append('&').append(e.getKey()).append('=').append(e.getValue());
            }
        }
        URL url = URL.valueOf(extension + "://" + address + "?" + q).setScopeModel(app);
        try {
            Registry registry = app.getExtensionLoader(RegistryFactory.class).getExtension(extension).getRegistry(url);
            synchronized (models) {
                models.put(registry, framework);
            }
            return registry;
        } catch (RuntimeException e) {
            framework.destroy();
            throw e;
        }
    }

    @Override
    public URL url(Registry registry, String url) {
        return URL.valueOf(url).setScopeModel(registry.getUrl().getScopeModel());
    }

    @Override
    public void destroy(Registry registry) {
        FrameworkModel framework;
        synchronized (models) {
            framework = models.remove(registry);
        }
        Throwable failure = BenchKit.bounded("destroy", 30_000, () -> {
            registry.destroy();
            if (framework != null) {
                framework.destroy();
            }
        });
        if (failure != null) {
            System.err.println("[bench] " + name + ": destroying a registry: " + BenchKit.describe(failure));
        }
    }

    @Override
    public long renewPeriodMillis(long sessionMillis) {
        if (extension.equals("redis")) {
            Duration session = Duration.ofMillis(sessionMillis);
            return new LeaseTimings(session, session.dividedBy(4), session.dividedBy(2)).renewPeriod().toMillis();
        }
        // ZooKeeper's client pings when it has sent nothing for a third of the session.
        return sessionMillis / 3;
    }

    @Override
    public String renewalNote() {
        if (extension.equals("redis")) {
            return "every renew period, one pipelined round trip per registry: one HSET per key (each entry's "
                    + "expiry, which the old registry reads), the owner's lease (one ZADD) and its key set (SADDs of up "
                    + "to 256 keys); besides, a dead-owner check (ZREVRANGEBYSCORE) every reap period and a sweep "
                    + "election (SET NX) every session/2";
        }
        return "no per-entry renewal: ephemeral nodes live as long as the session, which the client keeps with a "
                + "ping when idle for session/3 (pings are counted in packets_received)";
    }
}
