package io.github.dubboredis.internal.lettuce;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.dubboredis.config.ConnectionSettings;
import io.github.dubboredis.config.MultiNodeMode;
import io.github.dubboredis.config.RedisNodeAddress;
import io.github.dubboredis.config.Topology;
import io.github.dubboredis.internal.concurrent.ThreadScheduler;
import io.github.dubboredis.internal.store.RedisAccessException;
import io.github.dubboredis.internal.store.RegistryStore;
import io.github.dubboredis.internal.store.StoreHandle;
import io.github.dubboredis.internal.store.StoreProvider;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.resource.ClientResources;

/**
 * What holds Redis connections and threads for one owner: in a Dubbo application, one per application model
 * (created on first use, closed when Dubbo destroys the application); in a tool, one per session. Every
 * registry of the runtime with equal connection settings shares one store: one command connection and one
 * pub/sub connection per Redis node, however many registries and services. Nothing here is static: two
 * runtimes in one JVM share nothing, and closing one leaves no thread and no connection behind.
 */
public final class LettuceRuntime implements StoreProvider, AutoCloseable {

    private final String name;
    private final Map<ConnectionSettings, Shared> shared = new HashMap<>();
    private final AtomicInteger storeNumber = new AtomicInteger();
    private LettuceResources resources;
    private boolean closed;

    /** @param name names the runtime's threads ({@code dubbo-redis-<name>-...}) */
    public LettuceRuntime(String name) {
        this.name = name;
    }

    @Override
    public StoreHandle acquire(ConnectionSettings settings, boolean mustConnect) {
        Shared s;
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("the Redis registry runtime '" + name + "' is closed");
            }
            s = shared.get(settings);
            if (s == null) {
                if (resources == null) {
                    resources = new LettuceResources("dubbo-redis-" + name);
                }
                s = new Shared(settings, "dubbo-redis-" + name + "-" + storeNumber.incrementAndGet());
                shared.put(settings, s);
                s.starting = s.store.start(false);
            }
            s.users++;
        }
        try {
            s.awaitFirstAttempt();
        } catch (RedisAccessException e) {
            if (mustConnect) {
                release(s);
                throw e;
            }
            // Start anyway: the store keeps trying and logs why it cannot connect.
        }
        Shared store = s;
        return new StoreHandle() {
            private boolean released;

            @Override
            public RegistryStore store() {
                return store.store;
            }

            @Override
            public synchronized void close() {
                if (!released) {
                    released = true;
                    release(store);
                }
            }
        };
    }

    private void release(Shared s) {
        synchronized (this) {
            if (--s.users > 0) {
                return;
            }
            shared.remove(s.settings);
        }
        s.close();
    }

    /** Loads the registry's function library (Redis 7) on the node commands go to; completes with its name. */
    public CompletableFuture<String> loadFunctions(RegistryStore store) {
        return ((LettuceStore) store).loadFunctions();
    }

    /** The function library's source, for an operator who loads it by other means. */
    public static String functionLibrarySource() {
        return ScriptLibrary.functionLibrary();
    }

    /** Closes every store (as if each user gave its share back) and the client's threads. Idempotent. */
    @Override
    public void close() {
        List<Shared> all;
        LettuceResources r;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            all = new ArrayList<>(shared.values());
            shared.clear();
            r = resources;
            resources = null;
        }
        for (Shared s : all) {
            s.close();
        }
        if (r != null) {
            r.close();
        }
    }

    /** One store, its thread and its client resources, with the number of registries using it. */
    private final class Shared {
        final ConnectionSettings settings;
        final ThreadScheduler scheduler;
        final ClientResources clientResources;
        final LettuceStore store;
        CompletableFuture<Void> starting;
        int users;

        Shared(ConnectionSettings settings, String threadName) {
            this.settings = settings;
            this.scheduler = new ThreadScheduler(threadName);
            DeadLinkDetection deadLinks = new DeadLinkDetection(settings);
            LettuceStore[] self = new LettuceStore[1];
            this.clientResources = resources.forStore(settings.reconnectPeriod(),
                    deadLinks.customizer((address, silent) -> {
                        if (self[0] != null) {
                            self[0].silentConnectionClosed(address, silent);
                        }
                    }));
            try {
                this.store = create(settings, scheduler, clientResources, deadLinks);
                self[0] = store;
            } catch (RuntimeException e) {
                scheduler.close();
                clientResources.shutdown(0, 2, TimeUnit.SECONDS);
                throw e;
            }
        }

        /**
         * Waits for the first connection attempt. The store keeps trying in the background whatever happens here;
         * a credential or configuration error, though, is reported at once rather than after the timeout.
         */
        void awaitFirstAttempt() {
            if (store.isConnected()) {
                return;
            }
            Duration wait = settings.connectTimeout().multipliedBy(Math.max(1, settings.nodes().size())).plusSeconds(1);
            RedisAccessException failure = null;
            try {
                starting.get(wait.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                failure = new RedisAccessException("cannot reach Redis at " + store.describe() + " within "
                        + wait.toMillis() + " ms (settings 'address', 'backup', 'connect.timeout')", null);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failure = new RedisAccessException("interrupted while connecting to " + store.describe(), null);
            } catch (ExecutionException e) {
                failure = RedisErrors.translate(e, store.describe(), settings);
            }
            if (failure == null && !store.isConnected()) {
                failure = store.lastConnectFailure();
            }
            if (failure != null) {
                throw failure;
            }
        }

        void close() {
            try {
                // The client threads must outlive the clients' own shutdown.
                store.shutdown().get(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                // closing anyway
            }
            clientResources.shutdown(0, 2, TimeUnit.SECONDS);
            scheduler.close();
        }
    }

    static LettuceStore create(ConnectionSettings s, ThreadScheduler scheduler, ClientResources resources,
            DeadLinkDetection deadLinks) {
        ClientOptions options = ClientSettings.options(s, deadLinks);
        if (s.topology() == Topology.SENTINEL) {
            String name = "master '" + s.masterName() + "' of sentinels " + s.nodes();
            return new ActiveLinkStore(s, scheduler, deadLinks, List.of(name),
                    (i, events) -> new ServerLink(name, ClientSettings.sentinel(s), null, null, s, resources, options, events, scheduler));
        }
        if (s.topology() == Topology.REDIS_CLUSTER) {
            String name = "cluster " + s.nodes();
            return new ActiveLinkStore(s, scheduler, deadLinks, List.of(name),
                    (i, events) -> new RedisClusterLink(s, resources, options, events, scheduler));
        }
        List<String> names = new ArrayList<>();
        for (RedisNodeAddress node : s.nodes()) {
            names.add(node.toString());
        }
        boolean mayFallBack = s.username() != null && !"default".equals(s.username());
        LettuceStore.LinkFactory links = (i, events) -> {
            RedisNodeAddress node = s.nodes().get(i);
            return new ServerLink(names.get(i), ClientSettings.server(s, node, ClientSettings.Credentials.USER_AND_PASSWORD),
                    mayFallBack ? ClientSettings.server(s, node, ClientSettings.Credentials.PASSWORD_ONLY) : null,
                    mayFallBack ? ClientSettings.server(s, node, ClientSettings.Credentials.NONE) : null,
                    s, resources, options, events, scheduler);
        };
        return s.multiNodeMode() == MultiNodeMode.REPLICATE
                ? new ReplicateStore(s, scheduler, deadLinks, names.size(), links)
                : new ActiveLinkStore(s, scheduler, deadLinks, names, links);
    }
}
