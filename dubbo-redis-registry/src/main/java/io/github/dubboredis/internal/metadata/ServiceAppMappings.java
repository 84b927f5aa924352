package io.github.dubboredis.internal.metadata;

import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import io.github.dubboredis.internal.store.RegistryStore;
import io.github.dubboredis.internal.store.StoreListener;

/**
 * Dubbo 3's interface-to-application mapping, in the layout of the existing
 * {@code dubbo-metadata-report-redis} extension (so that dubbo-admin and applications on that extension
 * read and write the same data): a hash {@code <root>:mapping} whose field is the interface name and
 * whose value is a comma-separated list of application names; every change is announced with the
 * interface name on the channel {@code <root>:mapping:queues} ({@code dubbo:mapping} and
 * {@code dubbo:mapping:queues} by default).
 *
 * <p>Unlike that extension, adding an application is one atomic server-side step (two providers starting
 * together cannot overwrite each other), and listeners survive reconnects: after one, every listened
 * interface is read again and changes are passed on.
 */
public final class ServiceAppMappings implements StoreListener {

    private final RegistryStore store;
    private final String hashKey;
    private final String channel;
    /** Interface to its listeners and the applications last told to them; touched on the store's thread. */
    private final Map<String, Listened> listened = new HashMap<>();
    private boolean subscribed;

    private static final class Listened {
        final List<Consumer<Set<String>>> listeners = new CopyOnWriteArrayList<>();
        Set<String> lastApps = Set.of();
    }

    /** @param root the metadata root: the group, {@code dubbo} by default */
    public ServiceAppMappings(RegistryStore store, String root) {
        this.store = store;
        this.hashKey = root + ":mapping";
        this.channel = root + ":mapping:queues";
        store.addListener(this);
    }

    public String hashKey() {
        return hashKey;
    }

    public String channel() {
        return channel;
    }

    /** Adds an application to an interface's mapping (once), and announces it. */
    public CompletableFuture<Boolean> add(String serviceInterface, String application) {
        return store.addToListField(hashKey, serviceInterface, application, channel);
    }

    /** The raw mapping content of an interface (the ticket of Dubbo's compare-and-set), or null. */
    public CompletableFuture<String> content(String serviceInterface) {
        return store.getField(hashKey, serviceInterface);
    }

    /** Sets the content if it still is {@code expected} (null: if there is none yet). */
    public CompletableFuture<Boolean> compareAndSet(String serviceInterface, String expected, String content) {
        return store.compareAndSetField(hashKey, serviceInterface, expected, content, channel);
    }

    /** The applications that provide an interface. */
    public CompletableFuture<Set<String>> applications(String serviceInterface) {
        return content(serviceInterface).thenApply(ServiceAppMappings::parse);
    }

    /**
     * Listens to an interface's mapping: the listener hears every change after the current value, which
     * is returned. Runs the listener on the store's thread.
     */
    public CompletableFuture<Set<String>> listen(String serviceInterface, Consumer<Set<String>> listener) {
        return CompletableFuture.supplyAsync(() -> {
            listened.computeIfAbsent(serviceInterface, k -> new Listened()).listeners.add(listener);
            boolean first = !subscribed;
            subscribed = true;
            return first;
        }, store.scheduler())
                .thenCompose(first -> first ? store.subscribe(List.of(channel)) : CompletableFuture.completedFuture(null))
                .thenCompose(ignored -> applications(serviceInterface))
                .thenApplyAsync(apps -> {
                    Listened l = listened.get(serviceInterface);
                    if (l != null) {
                        l.lastApps = apps;
                    }
                    return apps;
                }, store.scheduler());
    }

    public CompletableFuture<Void> stopListening(String serviceInterface, Consumer<Set<String>> listener) {
        return CompletableFuture.supplyAsync(() -> {
            Listened l = listened.get(serviceInterface);
            if (l != null) {
                l.listeners.remove(listener);
                if (l.listeners.isEmpty()) {
                    listened.remove(serviceInterface);
                }
            }
            boolean last = subscribed && listened.isEmpty();
            if (last) {
                subscribed = false;
            }
            return last;
        }, store.scheduler()).thenCompose(last -> last ? store.unsubscribe(List.of(channel)) : CompletableFuture.completedFuture(null));
    }

    @Override
    public void onMessage(String messageChannel, String serviceInterface) {
        if (channel.equals(messageChannel) && listened.containsKey(serviceInterface)) {
            refresh(serviceInterface);
        }
    }

    @Override
    public void onSubscriptionsRestored(String node) {
        for (String serviceInterface : listened.keySet()) {
            refresh(serviceInterface);
        }
    }

    private void refresh(String serviceInterface) {
        applications(serviceInterface).thenAcceptAsync(apps -> {
            Listened l = listened.get(serviceInterface);
            if (l == null || apps.equals(l.lastApps)) {
                return;
            }
            // The mapping only grows; a read that lost data (Redis restarted empty) must not shrink it.
            Set<String> merged = new TreeSet<>(l.lastApps);
            merged.addAll(apps);
            if (merged.equals(l.lastApps)) {
                return;
            }
            l.lastApps = Collections.unmodifiableSet(merged);
            for (Consumer<Set<String>> listener : l.listeners) {
                try {
                    listener.accept(l.lastApps);
                } catch (RuntimeException ignored) {
                    // one listener's failure must not keep the change from the others
                }
            }
        }, store.scheduler());
    }

    /** Dubbo's reading of a mapping value: names separated by commas, trimmed, sorted, no empties. */
    public static Set<String> parse(String content) {
        if (content == null || content.isBlank()) {
            return Set.of();
        }
        Set<String> apps = new LinkedHashSet<>();
        Arrays.stream(content.split(",")).map(String::trim).filter(s -> !s.isEmpty()).forEach(apps::add);
        return Collections.unmodifiableSet(new TreeSet<>(apps));
    }

    public void close() {
        store.removeListener(this);
    }
}
