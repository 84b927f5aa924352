package io.github.dubboredis.registry;

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

import io.github.dubboredis.redis.LuaScript;
import io.github.dubboredis.redis.RedisStore;
import io.github.dubboredis.redis.StoreListener;

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

    /** KEYS[1] mapping hash; ARGV: interface, application, channel. Adds the application if absent. */
    private static final LuaScript ADD = new LuaScript("mapping-add", ""
            + "local current = redis.call('HGET', KEYS[1], ARGV[1])\n"
            + "if current then\n"
            + "  for name in string.gmatch(current, '([^,]+)') do\n"
            + "    if string.gsub(name, '^%s*(.-)%s*$', '%1') == ARGV[2] then return {0} end\n"
            + "  end\n"
            + "  redis.call('HSET', KEYS[1], ARGV[1], current .. ',' .. ARGV[2])\n"
            + "else\n"
            + "  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])\n"
            + "end\n"
            + "redis.call('PUBLISH', ARGV[3], ARGV[1])\n"
            + "return {1}\n");

    /**
     * KEYS[1] mapping hash; ARGV: interface, new content, channel, expected ('' with ARGV[5]='absent'
     * for "must not exist"). Compare-and-set for Dubbo's ticket-based mapping protocol.
     */
    private static final LuaScript COMPARE_AND_SET = new LuaScript("mapping-cas", ""
            + "local current = redis.call('HGET', KEYS[1], ARGV[1])\n"
            + "if ARGV[5] == 'absent' then\n"
            + "  if current then return {0} end\n"
            + "elseif current ~= ARGV[4] then\n"
            + "  return {0}\n"
            + "end\n"
            + "redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])\n"
            + "redis.call('PUBLISH', ARGV[3], ARGV[1])\n"
            + "return {1}\n");

    private final RedisStore store;
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
    public ServiceAppMappings(RedisStore store, String root) {
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
        return store.runScript(ADD, hashKey, List.of(serviceInterface, application, channel))
                .thenApply(r -> ((Number) r.get(0)).longValue() == 1);
    }

    /** The raw mapping content of an interface (the ticket of Dubbo's compare-and-set), or null. */
    public CompletableFuture<String> content(String serviceInterface) {
        return store.readField(hashKey, serviceInterface);
    }

    /** Sets the content if it still is {@code expected} (null: if there is none yet). */
    public CompletableFuture<Boolean> compareAndSet(String serviceInterface, String expected, String content) {
        return store.runScript(COMPARE_AND_SET, hashKey, List.of(serviceInterface, content, channel,
                expected == null ? "" : expected, expected == null ? "absent" : "present"))
                .thenApply(r -> ((Number) r.get(0)).longValue() == 1);
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
        }, store.executor())
                .thenCompose(first -> first ? store.subscribe(List.of(channel)) : CompletableFuture.completedFuture(null))
                .thenCompose(ignored -> applications(serviceInterface))
                .thenApplyAsync(apps -> {
                    Listened l = listened.get(serviceInterface);
                    if (l != null) {
                        l.lastApps = apps;
                    }
                    return apps;
                }, store.executor());
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
        }, store.executor()).thenCompose(last -> last ? store.unsubscribe(List.of(channel)) : CompletableFuture.completedFuture(null));
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
        }, store.executor());
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
