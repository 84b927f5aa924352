package io.github.dubboredis.internal.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;

import io.github.dubboredis.config.RedisRegistrySettings;
import io.github.dubboredis.internal.concurrent.Scheduler;
import io.github.dubboredis.internal.model.Keyspace;
import io.github.dubboredis.internal.model.LeaseTimings;
import io.github.dubboredis.internal.report.RegistryObserver;
import io.github.dubboredis.internal.report.ReportLimiter;
import io.github.dubboredis.internal.store.RedisAccessException;
import io.github.dubboredis.internal.store.RegistryStore;
import io.github.dubboredis.internal.store.StoreHandle;
import io.github.dubboredis.internal.store.StoreListener;
import io.github.dubboredis.internal.time.Availability;
import io.github.dubboredis.internal.time.RedisClock;
import io.github.dubboredis.internal.watch.RecoveryHold;
import io.github.dubboredis.internal.watch.Subscriptions;

/**
 * One registry's machinery, independent of Dubbo, put together: what it owns ({@link Registrar}), what it
 * watches ({@link Subscriptions}), what it reaps and sweeps, the data-loss check that ties them, and their
 * schedules, on a store shared with every other registry of the same Redis. This class only wires and
 * schedules; the parts do the work and are what callers use.
 *
 * <p>Opened connected (or, when start-up must not wait for Redis, connecting in the background); closed once.
 */
public final class RegistryEngine implements AutoCloseable {

    private final RedisRegistrySettings settings;
    private final StoreHandle handle;
    private final RegistryStore store;
    private final Scheduler scheduler;
    private final Keyspace keyspace;
    private final LeaseTimings timings;
    private final RedisClock clock;
    private final RegistryObserver observer;
    private final DataLossDetector dataLoss;
    private final Registrar registrar;
    private final Subscriptions subscriptions;
    private final Reaper reaper;
    private final Sweeper sweeper;
    private final Maintenance maintenance;
    private final Applications applications;
    private final StoreListener connectionEvents;
    private final List<Scheduler.Cancellable> timers = new ArrayList<>();
    private final PeriodicJob renewal;
    private final PeriodicJob reaping;
    private final PeriodicJob sweeping;
    private volatile boolean closed;
    private long lastForcedRenewalNanos = Long.MIN_VALUE;

    private RegistryEngine(RedisRegistrySettings settings, StoreHandle handle, RegistryObserver observer,
            LongSupplier wallClockMillis) {
        this.settings = settings;
        this.handle = handle;
        this.store = handle.store();
        this.scheduler = store.scheduler();
        this.keyspace = new Keyspace(settings.root());
        this.timings = new LeaseTimings(settings.session(), settings.reapGrace(), settings.resyncPeriod(),
                settings.connection().reconnectPeriod());
        this.clock = new RedisClock(scheduler::nanoTime, wallClockMillis);
        Availability availability = new Availability(clock, timings);
        this.observer = observer;
        ReportLimiter reports = ReportLimiter.perMinute(() -> scheduler.nanoTime() / 1_000_000);
        this.dataLoss = new DataLossDetector(store, keyspace.epochKey());
        this.registrar = new Registrar(store, keyspace, clock, timings, this::checkForDataLoss);
        long session = timings.session().toMillis();
        this.subscriptions = new Subscriptions(store, keyspace, clock, availability, observer, reports,
                settings.maxEntriesPerKey(), this::markerSeen, timings.settlePeriod().toMillis(),
                timings.recoveryPeriod().toMillis(), session);
        this.reaper = new Reaper(store, keyspace, clock, timings, observer, reports, availability);
        this.sweeper = new Sweeper(store, keyspace, timings, observer, reports, availability);
        this.maintenance = new Maintenance(registrar, reaper, sweeper, subscriptions, scheduler);
        this.applications = new Applications(store, keyspace);
        this.renewal = new PeriodicJob("renew registrations", observer, availability);
        this.reaping = new PeriodicJob("reap expired registrations", observer, availability);
        this.sweeping = new PeriodicJob("sweep expired registrations of older registries", observer, availability);
        this.connectionEvents = new StoreListener() {
            @Override
            public boolean reportsConnectionEvents() {
                return true;
            }

            @Override
            public void onInfo(String node, String message) {
                observer.connectionInfo(node, message);
            }

            @Override
            public void onWritesRestored(String node) {
                reRegister(node);
                subscriptions.onCommandsRestored();
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
     * Opens an engine on a store share; closes the share if it cannot start. When the store is connected,
     * Redis's clock and data marker are read first (bounded by the command timeout).
     */
    public static RegistryEngine open(RedisRegistrySettings settings, StoreHandle handle, RegistryObserver observer) {
        return open(settings, handle, observer, handle.store().scheduler()::currentTimeMillis);
    }

    /** As {@link #open(RedisRegistrySettings, StoreHandle, RegistryObserver)}, with this host's wall clock (tests skew it). */
    public static RegistryEngine open(RedisRegistrySettings settings, StoreHandle handle, RegistryObserver observer,
            LongSupplier wallClockMillis) {
        RegistryEngine engine = new RegistryEngine(settings, handle, observer, wallClockMillis);
        try {
            engine.start();
        } catch (RuntimeException e) {
            engine.close();
            throw e;
        }
        return engine;
    }

    private void start() {
        store.addListener(subscriptions);
        store.addListener(connectionEvents);
        if (store.isConnected()) {
            await(clock.sync(store).thenCompose(ignored -> dataLoss.establish()), "read the Redis clock and data marker");
        }
        timers.add(every(timings.renewPeriod().toMillis(), () -> renewal.run(registrar::renewAll)));
        timers.add(every(timings.reapPeriod().toMillis(), () -> reaping.run(reaper::reapExpiredLeases)));
        long sweep = timings.sweepPeriod().toMillis();
        timers.add(scheduler.scheduleWithFixedDelay(() -> sweeping.run(sweeper::sweepIfElected),
                sweep / 2 + ThreadLocalRandom.current().nextLong(Math.max(1, sweep / 2)), sweep));
        long resync = timings.resyncPeriod().toMillis();
        if (resync > 0) {
            // Anti-entropy: bounds how long a lost message (or a write that was never announced) can hide a change.
            timers.add(every(resync, subscriptions::antiEntropy));
        }
    }

    private Scheduler.Cancellable every(long periodMillis, Runnable task) {
        return scheduler.scheduleWithFixedDelay(task, periodMillis, periodMillis);
    }

    /** After a reconnect or a move to another node: everything this registry owns is written again. */
    private void reRegister(String node) {
        if (closed) {
            return;
        }
        clock.sync(store)
                .thenCompose(ignored -> store.readMarker(dataLoss.key()))
                .thenComposeAsync(marker -> {
                    if (dataLoss.observe(marker) != DataLossDetector.Verdict.LOST) {
                        return dataLoss.establish(); // onto a node that came back empty (cluster=replicate), if any
                    }
                    dataLost();
                    return CompletableFuture.completedFuture(null);
                }, scheduler)
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
        store.readMarker(dataLoss.key()).thenAcceptAsync(this::markerSeen, scheduler);
    }

    /** A marker value read along with something else; on the scheduler thread. */
    private void markerSeen(String marker) {
        if (dataLoss.observe(marker) == DataLossDetector.Verdict.LOST) {
            dataLost();
        }
    }

    /**
     * Redis lost the registry's data (restarted empty, flushed, or a failover to a node without it): watches
     * keep what they had while everyone registers again, and this registry does so at once (at most once a
     * renew period, whatever rewrites the marker). Runs on the scheduler thread.
     */
    private void dataLost() {
        if (closed) {
            return;
        }
        long hold = timings.recoveryPeriod().toMillis();
        if (subscriptions.beginRecovery(hold) == RecoveryHold.Start.STARTED) {
            observer.dataLost(describe(), hold, subscriptions.takeLossesWithoutHold());
        }
        long now = scheduler.nanoTime();
        if (lastForcedRenewalNanos == Long.MIN_VALUE
                || now - lastForcedRenewalNanos >= TimeUnit.MILLISECONDS.toNanos(timings.renewPeriod().toMillis())) {
            lastForcedRenewalNanos = now;
            renewal.run(registrar::renewAll);
        }
    }

    // ---- the parts -----------------------------------------------------------------------------

    /** What this registry owns: register, unregister, renew. */
    public Registrar registrations() {
        return registrar;
    }

    /** What this registry watches. */
    public Subscriptions subscriptions() {
        return subscriptions;
    }

    /** The periodic jobs, run now. */
    public Maintenance maintenance() {
        return maintenance;
    }

    /** The applications with instances (application-level discovery). */
    public Applications applications() {
        return applications;
    }

    public Keyspace keyspace() {
        return keyspace;
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

    /** Whether the caller runs on this engine's own thread (where it must never wait for Redis). */
    public boolean isEngineThread() {
        return scheduler.inSchedulerThread();
    }

    /** Redis's clock as this engine estimates it. */
    public long redisNow() {
        return clock.now();
    }

    /** The store, for the metadata centre and operator tools that share this engine's connections. */
    public RegistryStore store() {
        return store;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Scheduler.Cancellable t : timers) {
            t.cancel();
        }
        subscriptions.close();
        store.removeListener(subscriptions);
        store.removeListener(connectionEvents);
        handle.close();
        observer.closed();
    }

    private <T> T await(CompletableFuture<T> f, String what) {
        try {
            return f.get(settings.connection().commandTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw cause instanceof RuntimeException r ? r : new RedisAccessException("failed to " + what, cause);
        } catch (TimeoutException e) {
            throw new RedisAccessException("Redis at " + describe() + " did not answer in time to " + what, null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RedisAccessException("interrupted while trying to " + what, e);
        }
    }
}
