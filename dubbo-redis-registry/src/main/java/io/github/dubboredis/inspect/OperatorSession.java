package io.github.dubboredis.inspect;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import io.github.dubboredis.config.RedisRegistrySettings;
import io.github.dubboredis.internal.configcenter.ConfigCenter;
import io.github.dubboredis.internal.configcenter.ConfigCenterObserver;
import io.github.dubboredis.internal.lettuce.LettuceRuntime;
import io.github.dubboredis.internal.model.CategoryKey;
import io.github.dubboredis.internal.model.Keyspace;
import io.github.dubboredis.internal.model.LeaseTimings;
import io.github.dubboredis.internal.report.RegistryObserver;
import io.github.dubboredis.internal.report.ReportLimiter;
import io.github.dubboredis.internal.store.RegistryStore;
import io.github.dubboredis.internal.store.StoreHandle;
import io.github.dubboredis.internal.store.StoreListener;
import io.github.dubboredis.internal.time.Availability;
import io.github.dubboredis.internal.time.RedisClock;
import io.github.dubboredis.internal.watch.Subscriptions;

/**
 * An operator's connection to a registry's Redis (the CLI's, the console's): its own runtime, connected at
 * once or failing with a clear message, with the views and actions tools need. Registers nothing, so it
 * renews and reaps nothing either. Close it when done.
 */
public final class OperatorSession implements AutoCloseable {

    /** Configuration centres opened for this session (closed with it). */
    private final List<ConfigCenter> centres = new ArrayList<>();
    private final RedisRegistrySettings settings;
    private final LettuceRuntime runtime;
    private final StoreHandle handle;
    private final Keyspace keyspace;
    private final RegistryInspector inspector;
    private final RedisClock clock;
    private final WatchCounters counters = new WatchCounters();
    private Subscriptions subscriptions;

    private OperatorSession(RedisRegistrySettings settings, LettuceRuntime runtime, StoreHandle handle) {
        this.settings = settings;
        this.runtime = runtime;
        this.handle = handle;
        this.keyspace = new Keyspace(settings.root());
        this.inspector = new RegistryInspector(handle.store(), keyspace, settings.maxEntriesPerKey());
        this.clock = new RedisClock(System::nanoTime, System::currentTimeMillis);
        handle.store().addListener(counters);
    }

    /** Connects, failing with a clear message (naming the node and the setting) if Redis cannot be used now. */
    public static OperatorSession open(RedisRegistrySettings settings, String name) {
        LettuceRuntime runtime = new LettuceRuntime(name);
        try {
            StoreHandle handle = runtime.acquire(settings.connection(), true);
            OperatorSession session = new OperatorSession(settings, runtime, handle);
            session.clock.sync(handle.store()).get(settings.connection().commandTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
            return session;
        } catch (InterruptedException e) {
            runtime.close();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while connecting", e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            runtime.close();
            throw new IllegalStateException("Redis at " + settings.connection().describe() + " did not tell its time: "
                    + Doctor.rootMessage(e), e);
        } catch (RuntimeException e) {
            runtime.close();
            throw e;
        }
    }

    public RedisRegistrySettings settings() {
        return settings;
    }

    /** A secret-free description of the Redis in use. */
    public String describe() {
        return handle.store().describe();
    }

    public RegistryInspector inspector() {
        return inspector;
    }

    public Doctor doctor() {
        return new Doctor(handle.store(), keyspace, inspector, settings);
    }

    /** What one node said to a request published on it: how many connections heard it, or why it could not. */
    public record NodeReply(String node, long heardBy, String failure) {
    }

    /** {@code cluster=failover}: asks every registry on the address list to move back to the first node that answers. */
    public CompletableFuture<List<NodeReply>> failback(String askedBy) {
        return handle.store().askToMoveBack(askedBy).thenApply(replies -> {
            List<NodeReply> r = new ArrayList<>();
            for (RegistryStore.NodeReply n : replies) {
                r.add(new NodeReply(n.node(), n.heardBy(), n.failure()));
            }
            return r;
        });
    }

    /** Loads (or replaces) the registry's function library on the node commands go to (Redis 7 and later). */
    public CompletableFuture<String> loadFunctions() {
        return runtime.loadFunctions(handle.store());
    }

    /** The function library's source, to load by other means (a config management tool). */
    public static String functionLibrary() {
        return LettuceRuntime.functionLibrarySource();
    }

    /**
     * Streams the changes of one service ({@code service} non-null: its four categories) or of everything under
     * the root and every application; events arrive on the session's own thread. Close the stream when done.
     */
    public synchronized EventStream watch(String service, Consumer<RegistryEvent> listener) {
        if (subscriptions == null) {
            LeaseTimings timings = new LeaseTimings(settings.session(), settings.reapGrace(), settings.resyncPeriod(),
                    settings.connection().reconnectPeriod());
            RegistryStore store = handle.store();
            subscriptions = new Subscriptions(store, keyspace, clock, new Availability(clock, timings), counters,
                    ReportLimiter.perMinute(() -> System.nanoTime() / 1_000_000), settings.maxEntriesPerKey(), marker -> { },
                    timings.settlePeriod().toMillis(), timings.recoveryPeriod().toMillis(), timings.session().toMillis());
            store.addListener(subscriptions);
        }
        List<CategoryKey> keys = null;
        if (service != null) {
            keys = new ArrayList<>();
            for (String c : RegistryInspector.CATEGORIES) {
                keys.add(keyspace.key(service, c));
            }
        }
        EventStream stream = new EventStream(subscriptions, keys, clock::now, listener);
        stream.start().join();
        return stream;
    }

    /**
     * What this session has seen of its connection and its watching since it opened: counters an operator's tool
     * samples to chart reconnects and notification lag (the lag from an announcement to the end of its re-read,
     * as every registry measures it for its own subscribers).
     */
    public record WatchStats(long connectionsLost, long resyncs, long notifications, long notificationLagMillisTotal,
            long notificationLagMillisMax) {
    }

    public WatchStats watchStats() {
        return new WatchStats(counters.connectionsLost.get(), counters.resyncs.get(), counters.notifications.get(),
                counters.lagTotal.get(), counters.lagMax.get());
    }

    /** Counts what the store and the session's watching report; told on the session's thread, read by any. */
    private static final class WatchCounters implements StoreListener, RegistryObserver {
        final AtomicLong connectionsLost = new AtomicLong();
        final AtomicLong resyncs = new AtomicLong();
        final AtomicLong notifications = new AtomicLong();
        final AtomicLong lagTotal = new AtomicLong();
        final AtomicLong lagMax = new AtomicLong();

        @Override
        public void onConnectionLost(String node, String cause, boolean reportedToAnother) {
            connectionsLost.incrementAndGet();
        }

        @Override
        public void resynced(String node, int keys) {
            resyncs.incrementAndGet();
        }

        @Override
        public void notified(String key, long lagMillis) {
            notifications.incrementAndGet();
            lagTotal.addAndGet(lagMillis);
            lagMax.accumulateAndGet(lagMillis, Math::max);
        }
    }

    @Override
    public void close() {
        centres.forEach(ConfigCenter::close);
        handle.store().removeListener(counters);
        if (subscriptions != null) {
            subscriptions.close();
            handle.store().removeListener(subscriptions);
        }
        handle.close();
        runtime.close();
    }

    /**
     * The configuration centre of a namespace on this session's connection (to read, write, list and remove
     * configuration; it listens to nothing). Closed with the session.
     */
    public synchronized ConfigCenter configCentre(String namespace) {
        ConfigCenter centre = new ConfigCenter(handle.store(), namespace, 0, ConfigCenterObserver.NONE, Runnable::run);
        centres.add(centre);
        return centre;
    }

}
