package io.github.dubboredis.dubbo;

import static org.apache.dubbo.common.constants.CommonConstants.ANYHOST_VALUE;
import static org.apache.dubbo.common.constants.CommonConstants.ANY_VALUE;
import static org.apache.dubbo.common.constants.CommonConstants.CHECK_KEY;
import static org.apache.dubbo.common.constants.RegistryConstants.CATEGORY_KEY;
import static org.apache.dubbo.common.constants.RegistryConstants.CONFIGURATORS_CATEGORY;
import static org.apache.dubbo.common.constants.RegistryConstants.CONSUMERS_CATEGORY;
import static org.apache.dubbo.common.constants.RegistryConstants.DEFAULT_CATEGORY;
import static org.apache.dubbo.common.constants.RegistryConstants.DEFAULT_ENABLE_EMPTY_PROTECTION;
import static org.apache.dubbo.common.constants.RegistryConstants.DYNAMIC_KEY;
import static org.apache.dubbo.common.constants.RegistryConstants.EMPTY_PROTOCOL;
import static org.apache.dubbo.common.constants.RegistryConstants.ENABLE_EMPTY_PROTECTION_KEY;
import static org.apache.dubbo.common.constants.RegistryConstants.PROVIDERS_CATEGORY;
import static org.apache.dubbo.common.constants.RegistryConstants.ROUTERS_CATEGORY;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.dubbo.common.URL;
import org.apache.dubbo.common.URLBuilder;
import org.apache.dubbo.common.constants.CommonConstants;
import org.apache.dubbo.common.threadpool.manager.FrameworkExecutorRepository;
import org.apache.dubbo.common.threadpool.serial.SerializingExecutor;
import org.apache.dubbo.common.utils.UrlUtils;
import org.apache.dubbo.registry.NotifyListener;
import org.apache.dubbo.registry.support.FailbackRegistry;
import org.apache.dubbo.rpc.RpcException;

import io.github.dubboredis.internal.engine.RegistryEngine;
import io.github.dubboredis.internal.model.CategoryKey;
import io.github.dubboredis.internal.model.KeySnapshot;
import io.github.dubboredis.internal.model.RegistryEntry;
import io.github.dubboredis.internal.watch.Watch;

/**
 * Dubbo's interface-level registry on Redis, in the layout of the older Dubbo Redis registry: one hash
 * per service and category ({@code /dubbo/com.foo.BarService/providers}), the URL's full string as
 * field, its expiry as value, and a {@code register}/{@code unregister} message on the key's channel.
 *
 * <p>This class only translates between Dubbo's URLs and listeners and the {@link RegistryEngine};
 * retries of failed calls come from {@link FailbackRegistry}, as with Dubbo's own registries.
 */
public class RedisRegistry extends FailbackRegistry {

    private static final String[] ALL_CATEGORIES =
            {PROVIDERS_CATEGORY, CONSUMERS_CATEGORY, ROUTERS_CATEGORY, CONFIGURATORS_CATEGORY};


    private final RegistryEngine engine;
    /**
     * Dubbo's listeners are told here, one notification at a time and in order, never on the engine's
     * thread: a listener may block (a consumer connects to new providers as it is told of them), and
     * the engine's thread also renews this JVM's registrations.
     */
    private final Executor notifications;
    private final Map<Subscriber, Watch> watches = new ConcurrentHashMap<>();
    /**
     * Per watched key, its fields as parsed (null for one that does not parse), shared by the subscriptions of the
     * key; used only on the notification executor.
     */
    private final Map<String, Map<String, URL>> parsedUrls = new ConcurrentHashMap<>();
    /** Dubbo's {@code enable-empty-protection}: never tell a consumer it has no providers. */
    private final boolean emptyProtection;
    /** Marks the thread while it tells Dubbo's listeners something (see {@link #awaitNotifications}). */
    private final ThreadLocal<Boolean> notifying = ThreadLocal.withInitial(() -> false);

    public RedisRegistry(URL url, RegistryEngine engine) {
        super(url);
        this.engine = Objects.requireNonNull(engine, "engine");
        this.emptyProtection = url.getParameter(ENABLE_EMPTY_PROTECTION_KEY, DEFAULT_ENABLE_EMPTY_PROTECTION);
        this.notifications = new SerializingExecutor(url.getOrDefaultFrameworkModel().getBeanFactory()
                .getBean(FrameworkExecutorRepository.class).getRegistryNotificationExecutor());
    }

    /** The engine behind this registry, for tests and tools. */
    public RegistryEngine engine() {
        return engine;
    }

    @Override
    public boolean isAvailable() {
        return engine.isConnected();
    }

    @Override
    public void doRegister(URL url) {
        CategoryKey key = keyOf(url);
        String field = url.toFullString();
        try {
            RedisCalls.await(engine, engine.registrations().register(key, field, url.getParameter(DYNAMIC_KEY, true)),
                    "register " + url);
        } catch (RuntimeException e) {
            // With check=false Dubbo retries, and meanwhile our own renewal writes it as soon as Redis
            // answers. With check=true (FailbackRegistry's test, below) Dubbo gives up and treats it as never
            // registered, so nobody would unregister it: it must not be renewed into a provider nobody wants.
            if (getUrl().getParameter(CHECK_KEY, true) && url.getParameter(CHECK_KEY, true) && url.getPort() != 0) {
                engine.registrations().disown(key, field);
            }
            throw e;
        }
    }

    @Override
    public void doUnregister(URL url) {
        RedisCalls.await(engine, engine.registrations().unregister(keyOf(url), url.toFullString()), "unregister " + url);
    }

    @Override
    public void doSubscribe(URL url, NotifyListener listener) {
        Subscriber subscriber = new Subscriber(url, listener);
        boolean admin = isAdmin(url);
        Watch watch = watches.computeIfAbsent(subscriber, s -> {
            Map<String, Delivered> told = new HashMap<>(); // this subscription's, on the notification executor only
            Watch.Listener toDubbo = snapshots -> notifications.execute(
                    () -> notifying(() -> deliver(url, listener, snapshots, admin, told)));
            return admin ? Watch.everything(toDubbo) : Watch.of(categoryKeys(url), toDubbo);
        });
        RedisCalls.await(engine, engine.subscriptions().start(watch), "subscribe " + url);
        awaitNotifications();
    }

    private void notifying(Runnable notification) {
        notifying.set(true);
        try {
            notification.run();
        } finally {
            notifying.set(false);
        }
    }

    /**
     * Waits until Dubbo's listeners have been told what was handed over so far: as with Dubbo's own
     * registries, a subscriber knows the current providers when {@code subscribe} returns (a reference
     * with {@code check=true} looks right after). Not from a notification itself (a listener that
     * subscribes), which would wait for itself; a listener slow beyond the bound only delays its own news.
     */
    private void awaitNotifications() {
        if (notifying.get()) {
            return;
        }
        CompletableFuture<Void> told = new CompletableFuture<>();
        notifications.execute(() -> told.complete(null));
        try {
            told.get(engine.settings().connection().commandTimeout().toMillis() * 2 + 1000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // the listener is still busy with an earlier notification; ours follows it
        }
    }

    @Override
    public void doUnsubscribe(URL url, NotifyListener listener) {
        Watch watch = watches.remove(new Subscriber(url, listener));
        if (watch != null) {
            RedisCalls.await(engine, engine.subscriptions().stop(watch), "unsubscribe " + url);
            if (!isAdmin(url)) {
                for (CategoryKey key : categoryKeys(url)) {
                    parsedUrls.remove(key.redisKey()); // parsed again if another subscription still reads it
                }
            }
        }
    }

    /** Reads Redis directly, as ZooKeeper's registry does, rather than subscribing to answer. */
    @Override
    public List<URL> lookup(URL url) {
        if (url == null) {
            throw new IllegalArgumentException("lookup url == null");
        }
        List<CategoryKey> keys = categoryKeys(url);
        Map<String, KeySnapshot> snapshots = RedisCalls.await(engine, engine.subscriptions().readNow(keys), "lookup " + url);
        List<URL> result = new ArrayList<>();
        for (KeySnapshot snapshot : snapshots.values()) {
            Unparsable unparsable = new Unparsable();
            for (RegistryEntry entry : snapshot.liveEntries()) {
                URL u = parse(snapshot.key(), entry.field(), unparsable);
                if (u != null && UrlUtils.isMatch(url, u)) {
                    result.add(u);
                }
            }
            unparsable.report(engine, snapshot.key());
        }
        return result;
    }

    @Override
    public void destroy() {
        try {
            super.destroy(); // unregisters and unsubscribes what this registry holds
        } finally {
            engine.close();
        }
    }

    // ---- URLs <-> keys and entries ------------------------------------------------------------

    /** The key of a URL; a URL no key can be made of fails as Dubbo's registries fail: with an RpcException. */
    private CategoryKey keyOf(URL url) {
        try {
            return engine.keyspace().key(nonNull(url.getServiceInterface()), url.getCategory(DEFAULT_CATEGORY));
        } catch (IllegalArgumentException e) {
            throw new RpcException("Invalid URL for the Redis registry " + engine.describe() + ": " + e.getMessage());
        }
    }

    private static String nonNull(String s) {
        return s == null ? "" : s;
    }

    private List<CategoryKey> categoryKeys(URL url) {
        String[] categories = ANY_VALUE.equals(url.getCategory())
                ? ALL_CATEGORIES
                : url.getCategory(new String[] {DEFAULT_CATEGORY});
        List<CategoryKey> keys = new ArrayList<>(categories.length);
        for (String category : categories) {
            try {
                keys.add(engine.keyspace().key(nonNull(url.getServiceInterface()), category));
            } catch (IllegalArgumentException e) {
                throw new RpcException("Invalid URL for the Redis registry " + engine.describe() + ": " + e.getMessage());
            }
        }
        return keys;
    }

    private static boolean isAdmin(URL url) {
        return ANY_VALUE.equals(url.getServiceInterface());
    }

    /**
     * Tells the listener what the snapshots hold, as Dubbo's registries do: each category's matching
     * URLs, or one {@code empty://} URL for a category with none.
     */
    private void deliver(URL subscribed, NotifyListener listener, List<KeySnapshot> snapshots, boolean admin,
            Map<String, Delivered> told) {
        if (!admin) {
            List<URL> urls = new ArrayList<>();
            for (KeySnapshot snapshot : snapshots) {
                Delivered delivered = told.computeIfAbsent(snapshot.key().redisKey(), k -> new Delivered());
                List<URL> matched = delivered.update(subscribed, snapshot);
                if (!matched.isEmpty()) {
                    urls.addAll(matched);
                } else if (!(emptyProtection && PROVIDERS_CATEGORY.equals(snapshot.key().category()))) {
                    urls.add(delivered.emptyUrl(subscribed));
                }
                // else: with empty protection on, as in Dubbo's own registries, an empty provider list is
                // not passed on and the consumer keeps the providers it had.
            }
            if (!urls.isEmpty()) {
                notify(subscribed, listener, urls);
            }
            return;
        }
        // An admin hears about each key separately, like the older registry's psubscribe of /dubbo/*.
        for (KeySnapshot snapshot : snapshots) {
            if (!categoryWanted(subscribed, snapshot.key().category())) {
                continue;
            }
            List<URL> matched = matching(subscribed, snapshot);
            notify(subscribed, listener, matched.isEmpty() ? List.of(adminEmptyUrl(subscribed, snapshot.key())) : matched);
        }
    }

    private static boolean categoryWanted(URL subscribed, String category) {
        String wanted = subscribed.getCategory();
        if (wanted == null || ANY_VALUE.equals(wanted)) {
            return true;
        }
        for (String c : subscribed.getCategory(new String[0])) {
            if (c.equals(category) || ANY_VALUE.equals(c)) {
                return true;
            }
        }
        return false;
    }

    /**
     * What one subscription was told of one key: the snapshot, and its URLs that match, by field. A snapshot that
     * the engine derived from that one by a few changes updates the URLs by those changes alone (a provider that
     * comes or goes among thousands costs one parse and one match, not thousands); any other is gone through whole.
     */
    private final class Delivered {
        private KeySnapshot snapshot;
        private final Map<String, URL> matched = new java.util.LinkedHashMap<>();
        private URL empty;

        /** The {@code empty://} URL of this subscription and key, made once. */
        URL emptyUrl(URL subscribed) {
            if (empty == null) {
                empty = RedisRegistry.emptyUrl(subscribed, snapshot.key());
            }
            return empty;
        }

        List<URL> update(URL subscribed, KeySnapshot fresh) {
            CategoryKey key = fresh.key();
            Map<String, URL> parsed = parsedUrls.computeIfAbsent(key.redisKey(), k -> new HashMap<>());
            Unparsable unparsable = new Unparsable();
            java.util.Set<String> changed = fresh.fieldsAddedOrRemovedSince(snapshot);
            if (changed == null) {
                matched.clear();
                for (RegistryEntry entry : fresh.liveEntries()) {
                    URL u = parsed(parsed, key, entry.field(), unparsable);
                    if (u != null && UrlUtils.isMatch(subscribed, u)) {
                        matched.put(entry.field(), u);
                    }
                }
                if (parsed.size() > fresh.size() * 2 + 16) {
                    parsed.keySet().removeIf(f -> !fresh.contains(f));
                }
            } else {
                for (String field : changed) {
                    if (!fresh.contains(field)) {
                        matched.remove(field);
                        parsed.remove(field);
                        continue;
                    }
                    URL u = parsed(parsed, key, field, unparsable);
                    if (u != null && UrlUtils.isMatch(subscribed, u)) {
                        matched.put(field, u);
                    }
                }
            }
            snapshot = fresh;
            unparsable.report(engine, key);
            return new ArrayList<>(matched.values());
        }
    }

    /** A field as parsed before for this key, else parsed now (and kept). */
    private static URL parsed(Map<String, URL> parsed, CategoryKey key, String field, Unparsable unparsable) {
        URL u = parsed.get(field);
        if (u == null && !parsed.containsKey(field)) {
            u = parse(key, field, unparsable);
            parsed.put(field, u);
        }
        return u;
    }

    /** The snapshot's entries that parse as URLs of the key's service and match the subscription. */
    private List<URL> matching(URL subscribed, KeySnapshot snapshot) {
        List<URL> result = new ArrayList<>(snapshot.liveEntries().size());
        for (URL u : urlsOf(snapshot)) {
            if (UrlUtils.isMatch(subscribed, u)) {
                result.add(u);
            }
        }
        return result;
    }

    /**
     * The snapshot's entries as URLs, each field parsed once while it stays in the key: a change to a key
     * of a hundred providers then parses one URL, not a hundred (parsing dominated the cost of churn).
     * Unparsable fields are skipped (and reported once).
     */
    private List<URL> urlsOf(KeySnapshot snapshot) {
        CategoryKey key = snapshot.key();
        Map<String, URL> before = parsedUrls.getOrDefault(key.redisKey(), Map.of());
        Map<String, URL> now = new HashMap<>(snapshot.liveEntries().size() * 2);
        List<URL> urls = new ArrayList<>(snapshot.liveEntries().size());
        Unparsable unparsable = new Unparsable();
        for (RegistryEntry entry : snapshot.liveEntries()) {
            String field = entry.field();
            URL u = before.containsKey(field) ? before.get(field) : parse(key, field, unparsable);
            now.put(field, u);
            if (u != null) {
                urls.add(u);
            }
        }
        parsedUrls.put(key.redisKey(), now);
        unparsable.report(engine, key);
        return urls;
    }

    /** The fields of one snapshot that are not URLs of its service: counted per reason, one kept as the example. */
    private static final class Unparsable {
        private final Map<String, String[]> byReason = new java.util.LinkedHashMap<>();
        private final Map<String, Integer> counts = new HashMap<>();

        void add(String field, String why) {
            byReason.putIfAbsent(why, new String[] {field});
            counts.merge(why, 1, Integer::sum);
        }

        void report(RegistryEngine engine, CategoryKey key) {
            byReason.forEach((why, example) ->
                    engine.subscriptions().reportMalformedEntries(key.redisKey(), counts.get(why), example[0], why));
        }
    }

    private static URL parse(CategoryKey key, String field, Unparsable unparsable) {
        URL u;
        try {
            u = URL.valueOf(field);
        } catch (RuntimeException e) {
            unparsable.add(field, "not a URL: " + e.getClass().getSimpleName());
            return null;
        }
        if (u == null || u.getProtocol() == null || u.getProtocol().isEmpty()) {
            unparsable.add(field, "not a URL (no protocol)");
            return null;
        }
        if (!key.service().equals(u.getServiceInterface())) {
            unparsable.add(field, "a URL of another service than '" + key.service() + "'");
            return null;
        }
        return u;
    }

    private static URL emptyUrl(URL subscribed, CategoryKey key) {
        return URLBuilder.from(subscribed).setProtocol(EMPTY_PROTOCOL).addParameter(CATEGORY_KEY, key.category()).build();
    }

    /** As the older registry writes it for an admin: path and interface name the key's service. */
    private static URL adminEmptyUrl(URL subscribed, CategoryKey key) {
        return URLBuilder.from(subscribed)
                .setProtocol(EMPTY_PROTOCOL)
                .setAddress(ANYHOST_VALUE)
                .setPath(key.service())
                .addParameter(CommonConstants.INTERFACE_KEY, key.service())
                .addParameter(CATEGORY_KEY, key.category())
                .build();
    }

    /** A (URL, listener) pair: one Dubbo subscription. */
    private record Subscriber(URL url, NotifyListener listener) {
    }
}
