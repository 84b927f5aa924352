package io.github.dubboredis.internal.configcenter;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

import io.github.dubboredis.internal.concurrent.Scheduler;
import io.github.dubboredis.internal.report.ReportLimiter;
import io.github.dubboredis.internal.store.ConfigRead;
import io.github.dubboredis.internal.store.ConfigValue;
import io.github.dubboredis.internal.store.RedisAccessException;
import io.github.dubboredis.internal.store.RegistryStore;
import io.github.dubboredis.internal.store.StoreListener;

/**
 * Keeps each listened configuration entry current and tells its listeners what changed. A group's channel is
 * subscribed once, for all its listened entries; an announcement (the changed key's name) reads that entry
 * again, and so does every reconnect and every anti-entropy pass (all entries, since pub/sub loses what is
 * published while a subscriber is away). A listener is told a change only when the content differs from what
 * it was last told, so re-reads never repeat an event.
 *
 * <p>Adding a listener reads the entry once, to learn its current content, and tells nothing (as Dubbo's
 * contract says: callers read it themselves, after adding the listener). If that first read fails, whatever a
 * later read finds is told, since the caller's own read may have failed too.
 *
 * <p>Redis that lost its data (restarted empty, flushed, failed over to a node without it) must not take rules
 * away from running applications. A data marker per group, read in the same step as the entries, tells: when
 * it vanished or changed, every listened entry whose content then vanishes is <em>held</em> (listeners keep
 * it, nobody is told) until its key is announced again, by a write or by a removal (which always announces).
 * So an operator who restores the rules, or removes one, is heard; nothing else takes a held rule away. A
 * removal while this subscriber was cut off, without a data loss, is told at once after the reconnect.
 *
 * <p>All state is confined to the store's scheduler thread; listeners are called on the given executor.
 */
final class ConfigWatch implements StoreListener {

    /** Fields read in one step: bounded work per step, whatever the number listened to. */
    static final int FIELDS_PER_READ = 100;

    private final RegistryStore store;
    private final Scheduler scheduler;
    private final ConfigKeyspace keyspace;
    private final long maxBytes;
    private final long resyncMillis;
    private final ConfigCenterObserver observer;
    private final ReportLimiter reports;
    private final Executor delivery;
    private final Map<String, Group> groups = new HashMap<>();
    private final Map<String, Group> byChannel = new HashMap<>();
    private boolean failing;
    private boolean closed;

    /** One group: its entries listened to, its channel, its marker and its reads. */
    private static final class Group {
        final String name;
        final String hashKey;
        final GroupMarker marker;
        final String channel;
        final Map<String, Entry> entries = new LinkedHashMap<>();
        final Set<String> toRead = new LinkedHashSet<>();
        CompletableFuture<Void> subscribed;
        boolean readInFlight;
        boolean readFailed;

        Group(String name, ConfigKeyspace keyspace, RegistryStore store) {
            this.name = name;
            this.hashKey = keyspace.hashKey(name);
            this.marker = new GroupMarker(store, keyspace.markerKey(name));
            this.channel = keyspace.channel(name);
        }
    }

    /** One entry listened to. */
    private static final class Entry {
        final String key;
        final Set<ConfigListener> listeners = new LinkedHashSet<>();
        final CompletableFuture<Void> firstRead = new CompletableFuture<>();
        /** What the listeners were last told (or the first read found); null: no content. */
        String content;
        /** Whether {@link #content} came from a read; false until the first read succeeds. */
        boolean known;
        /** The first read failed: what a later read finds is told (the listeners' callers may have read nothing). */
        boolean tellFirstFound;
        /** Its content vanished after a data loss: kept until its key is announced. */
        boolean held;
        /** Announced since the last read of it was sent. */
        boolean announced;

        Entry(String key) {
            this.key = key;
        }
    }

    ConfigWatch(RegistryStore store, ConfigKeyspace keyspace, long maxBytes, long resyncMillis, ConfigCenterObserver observer,
            ReportLimiter reports, Executor delivery) {
        this.store = store;
        this.scheduler = store.scheduler();
        this.keyspace = keyspace;
        this.maxBytes = maxBytes;
        this.resyncMillis = resyncMillis;
        this.observer = observer;
        this.reports = reports;
        this.delivery = delivery;
    }

    // ---- listeners ---------------------------------------------------------------------------------------

    /**
     * Starts telling {@code listener} the changes of an entry. Completes when the entry's current content is
     * known (at once if another listener has it), or its first read failed.
     */
    CompletableFuture<Void> listen(String group, String key, ConfigListener listener) {
        return onScheduler(() -> {
            if (closed) {
                return CompletableFuture.failedFuture(new IllegalStateException("the configuration centre is closed"));
            }
            Group g = groups.computeIfAbsent(group, this::newGroup);
            Entry e = g.entries.get(key);
            if (e == null) {
                e = new Entry(key);
                g.entries.put(key, e);
                g.toRead.add(key);
                // Read only once the channel is subscribed: a change after that read is then always heard.
                g.subscribed.whenCompleteAsync((ok, failure) -> requestRead(g), scheduler);
            }
            e.listeners.add(listener);
            return e.firstRead.copy();
        });
    }

    CompletableFuture<Void> stop(String group, String key, ConfigListener listener) {
        return onScheduler(() -> {
            Group g = groups.get(group);
            Entry e = g == null ? null : g.entries.get(key);
            if (e == null || !e.listeners.remove(listener) || !e.listeners.isEmpty()) {
                return CompletableFuture.completedFuture(null);
            }
            g.entries.remove(key);
            g.toRead.remove(key);
            e.firstRead.complete(null);
            if (!g.entries.isEmpty()) {
                return CompletableFuture.completedFuture(null);
            }
            groups.remove(group);
            byChannel.remove(g.channel);
            return store.unsubscribe(List.of(g.channel));
        });
    }

    /** The content of an entry held after a data loss (see the class comment); null if it is not held. Store thread. */
    String heldContent(String group, String key) {
        Group g = groups.get(group);
        Entry e = g == null ? null : g.entries.get(key);
        return e != null && e.held ? e.content : null;
    }

    /** How many entries are listened to. */
    int entryCount() {
        int n = 0;
        for (Group g : groups.values()) {
            n += g.entries.size();
        }
        return n;
    }

    private Group newGroup(String name) {
        Group g = new Group(name, keyspace, store);
        byChannel.put(g.channel, g);
        g.subscribed = store.subscribe(List.of(g.channel)).handleAsync((ok, failure) -> {
            if (failure != null && !RedisAccessException.isUnavailability(failure)) {
                // Refused (an ACL without '&dubbo-redis:*'): the periodic re-read is all that is left.
                if (reports.shouldReport("refused\n" + g.channel)) {
                    observer.channelRefused(g.channel, failure.getMessage(), resyncMillis);
                }
            }
            // Unavailable: the store subscribes again when Redis is back, and then everything is read.
            return null;
        }, scheduler);
        return g;
    }

    // ---- events ------------------------------------------------------------------------------------------

    @Override
    public void onMessage(String channel, String message) {
        Group g = byChannel.get(channel);
        if (closed || g == null) {
            return;
        }
        Entry e = g.entries.get(message);
        if (e == null) {
            return; // a key nobody here listens to (or junk someone published)
        }
        e.announced = true;
        e.held = false;
        g.toRead.add(e.key);
        requestRead(g);
    }

    @Override
    public void onSubscriptionsRestored(String node) {
        readEverything();
    }

    @Override
    public void onWritesRestored(String node) {
        for (Group g : groups.values()) {
            if (g.readFailed) {
                g.toRead.addAll(g.entries.keySet());
                requestRead(g);
            }
        }
    }

    /** Anti-entropy: every listened entry is read again, so that nothing a lost message hid stays hidden. */
    void readEverything() {
        if (closed) {
            return;
        }
        for (Group g : groups.values()) {
            g.toRead.addAll(g.entries.keySet());
            requestRead(g);
        }
    }

    @Override
    public boolean reportsConnectionEvents() {
        return true;
    }

    @Override
    public void onConnectionLost(String node, String cause, boolean reportedToAnother) {
        observer.connectionLost(node, cause, reportedToAnother);
    }

    @Override
    public void onWarning(String node, String message) {
        observer.connectionWarning(node, message);
    }

    @Override
    public void onInfo(String node, String message) {
        observer.connectionInfo(node, message);
    }

    // ---- reading -----------------------------------------------------------------------------------------

    /** Reads what a group has to read, in steps of {@value #FIELDS_PER_READ}; never more than one read in flight. */
    private void requestRead(Group g) {
        if (closed || g.readInFlight || g.toRead.isEmpty() || groups.get(g.name) != g) {
            return;
        }
        g.readInFlight = true;
        List<String> keys = new ArrayList<>(g.toRead);
        g.toRead.clear();
        Map<String, Boolean> announced = new HashMap<>();
        for (String k : keys) {
            Entry e = g.entries.get(k);
            if (e != null) {
                announced.put(k, e.announced);
                e.announced = false;
            }
        }
        List<CompletableFuture<ConfigRead>> steps = new ArrayList<>();
        for (int from = 0; from < keys.size(); from += FIELDS_PER_READ) {
            List<String> chunk = keys.subList(from, Math.min(keys.size(), from + FIELDS_PER_READ));
            steps.add(store.readConfig(g.hashKey, g.marker.key(), List.copyOf(chunk), maxBytes, false));
        }
        CompletableFuture.allOf(steps.toArray(CompletableFuture[]::new)).handleAsync((ignored, failure) -> {
            if (closed || groups.get(g.name) != g) {
                return null; // closed, or nobody listens to the group any more
            }
            try {
                if (failure != null) {
                    readFailed(g, keys, failure);
                } else {
                    readSucceeded(g, steps, announced);
                }
            } finally {
                g.readInFlight = false;
                if (!g.readFailed) {
                    requestRead(g); // what was asked meanwhile
                }
            }
            return null;
        }, scheduler);
    }

    private void readFailed(Group g, List<String> keys, Throwable failure) {
        g.readFailed = true;
        for (String k : keys) {
            Entry e = g.entries.get(k);
            if (e != null) {
                g.toRead.add(k);
                if (!e.known) {
                    e.tellFirstFound = true;
                    e.firstRead.complete(null);
                }
            }
        }
        if (!failing) {
            failing = true;
            observer.readsFailing(store.describe(), failure);
        }
    }

    private void readSucceeded(Group g, List<CompletableFuture<ConfigRead>> steps, Map<String, Boolean> announced) {
        g.readFailed = false;
        if (failing && groups.values().stream().noneMatch(x -> x.readFailed)) {
            failing = false;
            observer.readsRecovered(store.describe());
        }
        for (CompletableFuture<ConfigRead> step : steps) {
            ConfigRead read = step.join();
            boolean holding = g.entries.values().stream().anyMatch(e -> e.known && e.content != null);
            if (g.marker.lost(read.marker(), holding)) {
                dataLost(g, announced);
            }
            if (read.wrongType()) {
                if (reports.shouldReport("type\n" + g.hashKey)) {
                    observer.malformedKey(g.hashKey, "is a " + read.keyType() + ", not a hash: its configuration cannot be "
                            + "read, and listeners keep what they have");
                }
                reportSuppressed();
                for (String k : read.entries().keySet()) {
                    Entry e = g.entries.get(k);
                    if (e != null) {
                        e.firstRead.complete(null);
                    }
                }
                continue;
            }
            reports.forget("type\n" + g.hashKey);
            for (Map.Entry<String, ConfigValue> found : read.entries().entrySet()) {
                Entry e = g.entries.get(found.getKey());
                if (e != null) {
                    apply(g, e, found.getValue());
                }
            }
        }
    }

    /** Takes what a read found for an entry, and tells its listeners if that differs from what they have. */
    private void apply(Group g, Entry e, ConfigValue value) {
        if (value.refused()) {
            if (reports.shouldReport("large\n" + g.hashKey + "\n" + e.key)) {
                observer.contentTooLarge(g.hashKey, e.key, value.size(), maxBytes);
            }
            reportSuppressed();
            e.firstRead.complete(null);
            return;
        }
        reports.forget("large\n" + g.hashKey + "\n" + e.key);
        // Blank content is what a remove looks like to Dubbo's rule listeners: they must hear it as one.
        String fresh = value.exists() && !value.content().isBlank() ? value.content() : null;
        if (!e.known) {
            e.known = true;
            e.content = fresh;
            boolean tell = e.tellFirstFound && fresh != null;
            e.tellFirstFound = false;
            e.firstRead.complete(null);
            if (tell) {
                tell(g, e, new ConfigChange(g.name, e.key, fresh, ConfigChange.Type.ADDED));
            }
            return;
        }
        if (Objects.equals(fresh, e.content)) {
            if (fresh != null) {
                e.held = false;
            }
            return;
        }
        if (fresh == null) {
            if (e.held) {
                return; // vanished after a data loss, unannounced: kept
            }
            e.content = null;
            tell(g, e, new ConfigChange(g.name, e.key, null, ConfigChange.Type.DELETED));
            return;
        }
        ConfigChange.Type type = e.content == null ? ConfigChange.Type.ADDED : ConfigChange.Type.MODIFIED;
        e.content = fresh;
        e.held = false;
        tell(g, e, new ConfigChange(g.name, e.key, fresh, type));
    }

    // ---- data loss -----------------------------------------------------------------------------------------

    /**
     * The group's data is not what it was: every entry with content is held until its key is announced, except
     * those announced meanwhile (their reads say what their writers meant); and everything is read again.
     */
    private void dataLost(Group g, Map<String, Boolean> announcedInThisRead) {
        List<String> heldKeys = new ArrayList<>();
        for (Entry e : g.entries.values()) {
            boolean announced = e.announced || announcedInThisRead.getOrDefault(e.key, false);
            e.held = e.known && e.content != null && !announced;
            if (e.held) {
                heldKeys.add(e.key);
            }
        }
        g.toRead.addAll(g.entries.keySet());
        observer.dataLost(g.hashKey, heldKeys.size(), heldKeys.subList(0, Math.min(5, heldKeys.size())));
    }

    // ---- telling -----------------------------------------------------------------------------------------

    private void tell(Group g, Entry e, ConfigChange change) {
        for (ConfigListener l : List.copyOf(e.listeners)) {
            delivery.execute(() -> {
                try {
                    l.onChange(change);
                } catch (RuntimeException failure) {
                    observer.listenerFailed(g.name, e.key, failure);
                }
            });
        }
    }

    private void reportSuppressed() {
        long n = reports.takeSuppressed();
        if (n > 0) {
            observer.reportsSuppressed(n);
        }
    }

    /** Stops hearing anything; the group channels are given back. */
    CompletableFuture<Void> close() {
        return onScheduler(() -> {
            closed = true;
            List<String> channels = new ArrayList<>();
            for (Group g : groups.values()) {
                channels.add(g.channel);
                for (Entry e : g.entries.values()) {
                    e.firstRead.complete(null);
                }
            }
            groups.clear();
            byChannel.clear();
            return channels.isEmpty() ? CompletableFuture.completedFuture(null) : store.unsubscribe(channels);
        });
    }

    private <T> CompletableFuture<T> onScheduler(Supplier<CompletableFuture<T>> task) {
        return CompletableFuture.supplyAsync(task, scheduler).thenCompose(f -> f);
    }
}
