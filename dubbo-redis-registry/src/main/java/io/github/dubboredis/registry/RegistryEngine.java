package io.github.dubboredis.registry;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import io.github.dubboredis.config.RedisRegistrySettings;
import io.github.dubboredis.redis.RedisAccessException;
import io.github.dubboredis.redis.RedisStore;
import io.github.dubboredis.redis.RedisStores;
import io.github.dubboredis.redis.StoreListener;

/**
 * One registry's view of Redis, independent of Dubbo: it registers and renews what it owns
 * ({@link Registrar}), keeps watched keys current ({@link Watcher}), and reaps what dead registries
 * left behind ({@link Reaper}), on a store shared with every other registry of the same Redis.
 *
 * <p>Created connected (or, with {@code check=false}, connecting in the background); closed once.
 */
public final class RegistryEngine implements AutoCloseable {

    private final RedisRegistrySettings settings;
    private final RedisStores.Handle handle;
    private final RedisStore store;
    private final RegistryRoot root;
    private final LeaseTimings timings;
    private final RedisClock clock;
    private final Availability availability;
    private final DataEpoch epoch;
    private final RegistryObserver observer;
    private final Registrar registrar;
    private final Watcher watcher;
    private final Reaper reaper;
    private final StoreListener storeListener;
    private final List<ScheduledFuture<?>> timers = new ArrayList<>();
    private final BackgroundTask renewal;
    private final BackgroundTask reaping;
    private final BackgroundTask sweeping;
    private final BackgroundTask resyncing;
    private volatile boolean closed;
    private volatile String engineThreadName = "";

    private RegistryEngine(RedisRegistrySettings settings, RedisStores.Handle handle, RegistryObserver observer,
            LongSupplier localClock) {
        this.settings = settings;
        this.handle = handle;
        this.store = handle.store();
        this.root = new RegistryRoot(settings.root());
        this.timings = new LeaseTimings(settings.session(), settings.reapGrace(), settings.resyncPeriod(),
                settings.connection().reconnectPeriod());
        this.clock = new RedisClock(localClock);
        this.availability = new Availability(clock, timings);
        this.epoch = new DataEpoch(store, root);
        this.observer = observer;
        OnceLog reported = new OnceLog();
        this.registrar = new Registrar(store, root, clock, timings, this::checkForDataLoss);
        this.watcher = new Watcher(store, root, clock, observer, reported, epoch, availability, this::dataLost,
                timings.settlePeriod().toMillis());
        this.reaper = new Reaper(store, root, clock, timings, observer, reported, availability);
        this.renewal = new BackgroundTask("renew registrations", observer, availability);
        this.reaping = new BackgroundTask("reap expired registrations", observer, availability);
        this.sweeping = new BackgroundTask("sweep expired registrations of older registries", observer, availability);
        this.resyncing = new BackgroundTask("re-read watched keys", observer, availability);
        this.storeListener = new StoreListener() {
            @Override
            public void onMessage(String channel, String message) {
                watcher.onMessage(channel, message);
            }

            @Override
            public void onPatternMessage(String pattern, String channel, String message) {
                watcher.onPatternMessage(pattern, channel, message);
            }

            @Override
            public void onWritesRestored(String node) {
                reRegister(node);
                watcher.onCommandsRestored();
            }

            @Override
            public void onSubscriptionsRestored(String node) {
                watcher.onSubscriptionsRestored(node);
            }

            @Override
            public void onConnectionLost(String node, String cause, boolean reportedToAnother) {
                observer.connectionLost(node, cause, reportedToAnother);
            }

            @Override
            public void onWarning(String node, String message) {
                observer.connectionWarning(node, message);
            }
        };
    }

    /**
     * Opens an engine. With {@code check=true} (the default) it fails with a clear
     * {@link RedisAccessException} when Redis cannot be used now; otherwise it starts at once and
     * connects when Redis comes.
     */
    public static RegistryEngine open(RedisRegistrySettings settings, RegistryObserver observer) {
        return open(settings, observer, System::currentTimeMillis);
    }

    /** As {@link #open(RedisRegistrySettings, RegistryObserver)}, with a local clock (tests skew it). */
    public static RegistryEngine open(RedisRegistrySettings settings, RegistryObserver observer, LongSupplier localClock) {
        RedisStores.Handle handle = RedisStores.acquire(settings.connection(), settings.check());
        RegistryEngine engine = new RegistryEngine(settings, handle, observer, localClock);
        try {
            engine.start();
        } catch (RuntimeException e) {
            engine.close();
            throw e;
        }
        return engine;
    }

    private void start() {
        store.addListener(storeListener);
        try {
            // Only our own bookkeeping runs on that thread, so it answers at once; bounded all the same.
            engineThreadName = store.executor().submit(() -> Thread.currentThread().getName())
                    .get(settings.connection().commandTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while starting the Redis registry " + describe(), e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("The Redis registry's thread did not answer while starting " + describe(), e);
        }
        if (store.isConnected()) {
            await(clock.sync(store).thenCompose(ignored -> epoch.establish()), "read the Redis clock");
        }
        ScheduledExecutorService executor = store.executor();
        timers.add(schedule(executor, timings.renewPeriod().toMillis(), () -> renewal.run(registrar::renewAll)));
        timers.add(schedule(executor, timings.reapPeriod().toMillis(), () -> reaping.run(reaper::reapExpiredLeases)));
        long sweep = timings.sweepPeriod().toMillis();
        timers.add(executor.scheduleWithFixedDelay(() -> sweeping.run(reaper::sweepIfElected),
                sweep / 2 + (long) (Math.random() * sweep / 2), sweep, TimeUnit.MILLISECONDS));
        long resync = timings.resyncPeriod().toMillis();
        if (resync > 0) {
            // Anti-entropy: bounds how long a lost message (or a write that was never announced) can hide a change.
            timers.add(schedule(executor, resync, () -> resyncing.run(() -> resync("anti-entropy").thenApply(ignored -> 0))));
        }
    }

    private static ScheduledFuture<?> schedule(ScheduledExecutorService executor, long periodMillis, Runnable task) {
        return executor.scheduleWithFixedDelay(task, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
    }

    /** After a reconnect or a move to another node: everything this registry owns is written again. */
    private void reRegister(String node) {
        if (closed) {
            return;
        }
        clock.sync(store)
                .thenCompose(ignored -> store.readValue(epoch.key()))
                .thenApplyAsync(marker -> {
                    if (epoch.lostSince(marker)) {
                        dataLost();
                    } else {
                        epoch.establish(); // onto a node that came back empty (cluster=replicate), if any
                    }
                    return marker;
                }, store.executor())
                .thenCompose(ignored -> registrar.renewAll())
                .whenComplete((count, e) -> {
                    if (e == null) {
                        observer.reRegistered(node, count);
                    } else {
                        observer.backgroundJobFailed("re-register after reconnect to " + node, e);
                    }
                });
    }

    /** A renewal found owned entries missing: see whether Redis lost everything. */
    private void checkForDataLoss() {
        store.readValue(epoch.key()).thenAcceptAsync(marker -> {
            if (epoch.lostSince(marker)) {
                dataLost();
            }
        }, store.executor());
    }

    /**
     * Redis lost the registry's data (restarted empty, flushed, or a failover to a node without it):
     * watches keep what they had while everyone registers again, and this registry does so at once.
     * Runs on the engine's thread.
     */
    private void dataLost() {
        if (closed) {
            return;
        }
        observer.dataLost(describe(), timings.recoveryPeriod().toMillis());
        watcher.beginRecovery(timings.recoveryPeriod().toMillis());
        renewal.run(registrar::renewAll);
    }

    public RegistryRoot root() {
        return root;
    }

    public LeaseTimings timings() {
        return timings;
    }

    public RedisRegistrySettings settings() {
        return settings;
    }

    /** A secret-free description of the Redis in use. */
    public String describe() {
        return store.describe();
    }

    public boolean isConnected() {
        return !closed && store.isConnected();
    }

    public CompletableFuture<Void> register(CategoryKey key, String field, boolean dynamic) {
        return registrar.register(key, field, dynamic);
    }

    /** See {@link Registrar#disown}. */
    public void disown(CategoryKey key, String field) {
        registrar.disown(key, field);
    }

    public CompletableFuture<Void> unregister(CategoryKey key, String field) {
        return registrar.unregister(key, field);
    }

    /** Replaces an owned entry by another atomically (an application instance whose metadata changed). */
    public CompletableFuture<Void> replace(CategoryKey key, String oldField, String newField, boolean dynamic) {
        return registrar.replace(key, oldField, newField, dynamic);
    }

    /** The applications that have instances registered, found by SCAN (never KEYS). */
    public CompletableFuture<java.util.Set<String>> applications() {
        String prefix = root.instancesPrefix();
        return store.scanKeys(prefix + "*").thenApply(keys -> {
            java.util.Set<String> apps = new java.util.TreeSet<>();
            for (String k : keys) {
                apps.add(k.substring(prefix.length()));
            }
            return apps;
        });
    }

    public CompletableFuture<Void> watch(Watch watch) {
        return watcher.start(watch);
    }

    public CompletableFuture<Void> unwatch(Watch watch) {
        return watcher.stop(watch);
    }

    /** Reads keys now, without watching them (a lookup). */
    public CompletableFuture<Map<String, KeySnapshot>> read(List<CategoryKey> keys) {
        return watcher.readNow(keys);
    }

    /** Reports a field the Dubbo side could not use (once per key and field). */
    public void reportMalformedEntry(String key, String field, String reason) {
        watcher.reportMalformedEntry(key, field, reason);
    }

    /** Reads every watched key again; the periodic anti-entropy pass and tests use it. */
    public CompletableFuture<Void> resync(String reason) {
        return CompletableFuture.runAsync(() -> watcher.resync(reason), store.executor());
    }

    /** Whether watches are holding on to what they had while Redis is repopulated after a data loss. */
    public boolean recovering() {
        return watcher.recovering();
    }

    /** Runs one reaping pass now (normally periodic). */
    public CompletableFuture<Integer> reapNow() {
        return reaper.reapExpiredLeases();
    }

    /**
     * Takes part in this period's sweep election now (normally periodic): sweeps if elected and completes
     * with the number removed, or with -1 if another registry holds this period's sweep.
     */
    public CompletableFuture<Integer> sweepIfElectedNow() {
        return reaper.sweepIfElected();
    }

    /** Runs one sweep of the whole root now, without the election (normally periodic and elected). */
    public CompletableFuture<Integer> sweepNow() {
        return reaper.sweep();
    }

    /** Renews everything owned now (normally periodic). */
    public CompletableFuture<Integer> renewNow() {
        return registrar.renewAll();
    }

    /** Whether the caller runs on this engine's own thread (where it must never wait for Redis). */
    public boolean isEngineThread() {
        return Thread.currentThread().getName().equals(engineThreadName);
    }

    /** The shared store this engine works on, for the metadata centre and operator tools. */
    public RedisStore storeForTools() {
        return store;
    }

    /** Redis's clock as this engine estimates it. */
    public long redisNow() {
        return clock.now();
    }

    /** Entries this engine owns and renews (for metrics). */
    public int ownedEntryCount() {
        return registrar.size();
    }

    /** Keys this engine keeps current (for metrics; read without locking, so approximate while changing). */
    public int watchedKeyCount() {
        return watcher.watchedKeyCount();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (ScheduledFuture<?> t : timers) {
            t.cancel(false);
        }
        store.removeListener(storeListener);
        handle.release();
        observer.closed();
    }

    private <T> T await(CompletableFuture<T> f, String what) {
        try {
            return f.get(settings.connection().commandTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable cause = e.getCause();
            throw cause instanceof RuntimeException r ? r : new RedisAccessException("failed to " + what, cause);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new RedisAccessException("Redis at " + describe() + " did not answer in time to " + what, null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RedisAccessException("interrupted while trying to " + what, e);
        }
    }

    /** Tells a bad key apart from a Redis that is away. */
    /**
     * A periodic job: never throws (that would end the schedule), never overlaps itself, and reports a
     * failure once when it starts failing rather than every period.
     */
    private static final class BackgroundTask {
        private final String name;
        private final RegistryObserver observer;
        private final Availability availability;
        private boolean running;
        private boolean failing;

        BackgroundTask(String name, RegistryObserver observer, Availability availability) {
            this.name = name;
            this.observer = observer;
            this.availability = availability;
        }

        void run(Supplier<CompletableFuture<Integer>> job) {
            synchronized (this) {
                if (running) {
                    return;
                }
                running = true;
            }
            CompletableFuture<Integer> f;
            try {
                f = job.get();
            } catch (RuntimeException e) {
                f = CompletableFuture.failedFuture(e);
            }
            f.whenComplete((ok, e) -> {
                if (e == null) {
                    availability.succeeded();
                } else if (RedisAccessException.isUnavailability(e)) {
                    availability.failed();
                }
                synchronized (this) {
                    running = false;
                    if (e != null && !failing) {
                        failing = true;
                        observer.backgroundJobFailed(name, e);
                    } else if (e == null && failing) {
                        failing = false;
                        observer.backgroundJobRecovered(name);
                    }
                }
            });
        }
    }
}
