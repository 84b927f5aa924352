package io.github.dubboredis.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.dubboredis.config.ClusterStrategy;
import io.github.dubboredis.config.ConnectionSettings;
import io.github.dubboredis.config.RedisNodeAddress;
import io.github.dubboredis.config.Topology;
import io.github.dubboredis.redis.AbstractRedisStore.LinkFactory;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.resource.ClientResources;

/**
 * Creates stores and shares them: every registry in the JVM with equal {@link ConnectionSettings} gets
 * the same store, so the number of connections does not grow with the number of registries. The last
 * {@link Handle#release()} closes it.
 */
public final class RedisStores {

    private static final AtomicInteger THREAD_NUMBER = new AtomicInteger();
    private static final Map<ConnectionSettings, Shared> SHARED = new HashMap<>();

    private RedisStores() {
    }

    /** A registry's use of a shared store. */
    public interface Handle {
        RedisStore store();

        void release();
    }

    /**
     * Returns the shared store for these settings, creating and connecting it if needed.
     *
     * @param mustConnect fail with a clear {@link RedisAccessException} if Redis cannot be used now
     *     (Dubbo's {@code check=true}); otherwise, if the first attempt fails, return anyway and let the
     *     store connect whenever Redis comes. Either way the first attempt is waited for (bounded by the
     *     connect timeout), so that a Redis that is there is used from the first call on.
     */
    public static Handle acquire(ConnectionSettings settings, boolean mustConnect) {
        Shared shared;
        synchronized (SHARED) {
            shared = SHARED.get(settings);
            if (shared == null) {
                shared = new Shared(settings);
                SHARED.put(settings, shared);
                shared.starting = shared.store.start(false);
            }
            shared.users++;
        }
        try {
            shared.awaitConnected();
        } catch (RedisAccessException e) {
            if (mustConnect) {
                release(shared);
                throw e;
            }
            // check=false: start anyway; the store keeps trying and logs why it cannot connect.
        }
        Shared s = shared;
        return new Handle() {
            private boolean released;

            @Override
            public RedisStore store() {
                return s.store;
            }

            @Override
            public synchronized void release() {
                if (!released) {
                    released = true;
                    RedisStores.release(s);
                }
            }
        };
    }

    private static void release(Shared shared) {
        synchronized (SHARED) {
            if (--shared.users > 0) {
                return;
            }
            SHARED.remove(shared.settings);
        }
        shared.close();
    }

    private static final class Shared {
        final ConnectionSettings settings;
        final ScheduledThreadPoolExecutor executor;
        final ClientResources resources;
        final AbstractRedisStore store;
        CompletableFuture<Void> starting;
        int users;

        Shared(ConnectionSettings settings) {
            this.settings = settings;
            this.executor = new ScheduledThreadPoolExecutor(1, r -> {
                Thread t = new Thread(r, "dubbo-redis-registry-" + THREAD_NUMBER.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
            this.executor.setRemoveOnCancelPolicy(true);
            this.resources = LettuceResources.acquire(settings.reconnectPeriod());
            try {
                this.store = create(settings, executor, resources);
            } catch (RuntimeException e) {
                executor.shutdownNow();
                LettuceResources.release(resources);
                throw e;
            }
        }

        /**
         * Waits for the first connection. The store keeps trying in the background whatever happens here;
         * a credential or configuration error, though, is reported at once rather than after the timeout.
         */
        void awaitConnected() {
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
            } catch (java.util.concurrent.ExecutionException e) {
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
                // The shared client threads must outlive the clients' own shutdown.
                store.closeLinks().get(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (java.util.concurrent.ExecutionException | TimeoutException e) {
                // closing anyway
            }
            executor.shutdownNow();
            LettuceResources.release(resources);
        }
    }

    static AbstractRedisStore create(ConnectionSettings s, ScheduledThreadPoolExecutor executor, ClientResources resources) {
        ClientOptions options = RedisUris.options(s);
        if (s.topology() == Topology.SENTINEL) {
            String name = "master '" + s.masterName() + "' of sentinels " + s.nodes();
            return new FailoverStore(s, executor, List.of(name),
                    (i, events) -> new ServerLink(name, RedisUris.sentinel(s), null, null, s, resources, options, events, executor));
        }
        if (s.topology() == Topology.CLUSTER) {
            String name = "cluster " + s.nodes();
            return new FailoverStore(s, executor, List.of(name), (i, events) -> new ClusterLink(s, resources, options, events, executor));
        }
        List<String> names = new ArrayList<>();
        for (RedisNodeAddress node : s.nodes()) {
            names.add(node.toString());
        }
        boolean mayFallBack = s.username() != null && !"default".equals(s.username());
        LinkFactory links = (i, events) -> {
            RedisNodeAddress node = s.nodes().get(i);
            return new ServerLink(names.get(i), RedisUris.server(s, node, RedisUris.Credentials.USER_AND_PASSWORD),
                    mayFallBack ? RedisUris.server(s, node, RedisUris.Credentials.PASSWORD_ONLY) : null,
                    mayFallBack ? RedisUris.server(s, node, RedisUris.Credentials.NONE) : null,
                    s, resources, options, events, executor);
        };
        return s.clusterStrategy() == ClusterStrategy.REPLICATE
                ? new ReplicateStore(s, executor, names.size(), links)
                : new FailoverStore(s, executor, names, links);
    }
}
