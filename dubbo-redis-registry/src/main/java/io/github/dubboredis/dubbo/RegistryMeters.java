package io.github.dubboredis.dubbo;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.apache.dubbo.metrics.MetricsGlobalRegistry;
import org.apache.dubbo.rpc.model.ApplicationModel;

import io.github.dubboredis.internal.engine.RegistryEngine;
import io.github.dubboredis.internal.report.RegistryObserver;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

/**
 * The registry's meters, in Dubbo's own meter registry ({@link MetricsGlobalRegistry}), so they are
 * exported with Dubbo's metrics (Prometheus, Spring Boot actuator) under the same application tag:
 *
 * <pre>
 *   dubbo.registry.redis.registered.entries        gauge   entries this registry owns and renews
 *   dubbo.registry.redis.watched.keys              gauge   keys this registry keeps current
 *   dubbo.registry.redis.notifications.total       counter changes of a watched key passed on to its listeners
 *   dubbo.registry.redis.notification.lag          timer   from a change's message to the news (a record applied, or a re-read)
 *   dubbo.registry.redis.resyncs.total             counter full re-reads (after a reconnect, anti-entropy, recovery)
 *   dubbo.registry.redis.connections.lost.total    counter losses of a Redis connection (each followed by a reconnect)
 *   dubbo.registry.redis.reaped.entries.total      counter dead entries removed by this registry
 *   dubbo.registry.redis.data.losses.total         counter times Redis was found to have lost the registry's data
 *   dubbo.registry.redis.background.failures.total counter renewals, reaps, sweeps or resyncs that failed (retried)
 * </pre>
 *
 * Only used when Micrometer is on the classpath; the registry works the same without it.
 */
final class RegistryMeters implements RegistryObserver {

    private final MeterRegistry meters;
    private final Tags tags;
    private final Counter notifications;
    private final Timer notificationLag;
    private final Counter resyncs;
    private final Counter connectionsLost;
    private final Counter reaped;
    private final Counter dataLosses;
    private final Counter backgroundFailures;
    private final List<Meter> all;

    private RegistryMeters(MeterRegistry meters, Tags tags) {
        this.meters = meters;
        this.tags = tags;
        this.notifications = Counter.builder("dubbo.registry.redis.notifications.total").tags(tags)
                .description("Changes of a watched key passed on to its listeners").register(meters);
        this.notificationLag = Timer.builder("dubbo.registry.redis.notification.lag").tags(tags)
                .description("From a change's message to the news of it").register(meters);
        this.resyncs = Counter.builder("dubbo.registry.redis.resyncs.total").tags(tags)
                .description("Full re-reads of every watched key").register(meters);
        this.connectionsLost = Counter.builder("dubbo.registry.redis.connections.lost.total").tags(tags)
                .description("Losses of a Redis connection").register(meters);
        this.reaped = Counter.builder("dubbo.registry.redis.reaped.entries.total").tags(tags)
                .description("Dead entries removed by this registry").register(meters);
        this.dataLosses = Counter.builder("dubbo.registry.redis.data.losses.total").tags(tags)
                .description("Times Redis was found to have lost the registry's data").register(meters);
        this.backgroundFailures = Counter.builder("dubbo.registry.redis.background.failures.total").tags(tags)
                .description("Background jobs that failed and are retried").register(meters);
        this.all = new ArrayList<>(List.of(notifications, notificationLag, resyncs, connectionsLost, reaped,
                dataLosses, backgroundFailures));
    }

    /**
     * Meters in the application's Dubbo meter registry. Call only when Micrometer is on the classpath
     * ({@link MetricsSupport#available()}): this class cannot even be loaded otherwise.
     *
     * @param level {@code interface} or {@code application}: the registry and the service discovery of one
     *     address have a set of meters each
     */
    static RegistryMeters forApplication(ApplicationModel application, String redis, String level) {
        String name = application.tryGetApplicationName();
        Tags tags = Tags.of(Tag.of("application.name", name == null ? "" : name), Tag.of("registry", redis),
                Tag.of("level", level));
        return new RegistryMeters(MetricsGlobalRegistry.getCompositeRegistry(application), tags);
    }

    /** Adds the gauges read from the engine, once it exists. */
    void bind(RegistryEngine engine) {
        all.add(Gauge.builder("dubbo.registry.redis.registered.entries", engine, e -> e.registrations().size()).tags(tags)
                .description("Entries this registry owns and renews").strongReference(false).register(meters));
        all.add(Gauge.builder("dubbo.registry.redis.watched.keys", engine, e -> e.subscriptions().watchedKeyCount()).tags(tags)
                .description("Keys this registry keeps current").strongReference(false).register(meters));
    }

    /** Removes this registry's meters (when it is destroyed). */
    @Override
    public void closed() {
        for (Meter m : all) {
            meters.remove(m);
        }
    }

    @Override
    public void notified(String key, long lagMillis) {
        notifications.increment();
        notificationLag.record(lagMillis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void resynced(String node, int keys) {
        resyncs.increment();
    }

    @Override
    public void connectionLost(String node, String cause, boolean reportedByAnother) {
        connectionsLost.increment();
    }

    @Override
    public void reaped(String key, int entries) {
        reaped.increment(entries);
    }

    @Override
    public void dataLost(String redis, long holdMillis, long lossesWithoutHold) {
        dataLosses.increment();
    }

    @Override
    public void backgroundJobFailed(String what, Throwable cause) {
        backgroundFailures.increment();
    }
}
