package io.github.dubboredis.internal.configcenter;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

import io.github.dubboredis.internal.concurrent.Scheduler;
import io.github.dubboredis.internal.report.ReportLimiter;
import io.github.dubboredis.internal.store.ConfigPage;
import io.github.dubboredis.internal.store.ConfigRead;
import io.github.dubboredis.internal.store.ConfigValue;
import io.github.dubboredis.internal.store.RegistryStore;
import io.github.dubboredis.internal.store.WrongTypeException;

/**
 * Redis as a configuration centre, independent of Dubbo: entries (a key and its content) in groups, read,
 * written (also compare-and-set), removed, listed and listened to, on a store shared with the registries of the
 * same Redis. Dubbo's {@code DynamicConfiguration} and the CLI are both built on it.
 *
 * <p>Content is text of at most {@value #MAX_CONTENT_BYTES} bytes (UTF-8) and never empty: Dubbo's rule
 * listeners would take an empty rule for a broken one and keep the old; a removal says what is meant. A
 * compare-and-set ticket is the SHA-1 of the stored content, or null for an entry that does not exist: a null
 * ticket means "only if there is none yet".
 */
public final class ConfigCenter implements AutoCloseable {

    /** The largest content taken, and read: 1 MiB. */
    public static final long MAX_CONTENT_BYTES = 1024 * 1024;

    private static final int KEYS_PER_PAGE = 200;

    private final RegistryStore store;
    private final ConfigKeyspace keyspace;
    private final ConfigWatch watch;
    private final Scheduler.Cancellable antiEntropy;

    /**
     * @param resyncMillis how often every listened entry is read again (anti-entropy); 0: never
     * @param delivery where listeners are called (one at a time, in order, if it is serial); never the store's thread
     */
    public ConfigCenter(RegistryStore store, String namespace, long resyncMillis, ConfigCenterObserver observer,
            Executor delivery) {
        this.store = store;
        this.keyspace = new ConfigKeyspace(namespace);
        Scheduler scheduler = store.scheduler();
        this.watch = new ConfigWatch(store, keyspace, MAX_CONTENT_BYTES, resyncMillis, observer,
                ReportLimiter.perMinute(() -> scheduler.nanoTime() / 1_000_000), delivery);
        store.addListener(watch);
        this.antiEntropy = resyncMillis > 0 ? scheduler.scheduleWithFixedDelay(watch::readEverything, resyncMillis, resyncMillis)
                : null;
    }

    public ConfigKeyspace keyspace() {
        return keyspace;
    }

    /** A secret-free description of the Redis in use. */
    public String describe() {
        return store.describe();
    }

    /**
     * The content of an entry; null when there is none. Fails for content over the limit and a key of another type.
     * An entry this centre holds after Redis lost its data is returned as held, so that what the application starts
     * using afterwards agrees with what it already applies (the truth in Redis: {@link #getWithTicket}).
     */
    public CompletableFuture<String> get(String group, String key) {
        return read(group, key, false).thenApplyAsync(stored -> stored.content() != null ? stored.content()
                : watch.heldContent(group, key), store.scheduler());
    }

    /** An entry's content and ticket, for a compare-and-set ({@link #putIfUnchanged}). */
    public CompletableFuture<StoredConfig> getWithTicket(String group, String key) {
        return read(group, key, true);
    }

    private CompletableFuture<StoredConfig> read(String group, String key, boolean ticket) {
        ConfigKeyspace.checkKey(key);
        String hashKey = keyspace.hashKey(group);
        return store.readConfig(hashKey, keyspace.markerKey(group), List.of(key), MAX_CONTENT_BYTES, ticket).thenApply(
                (ConfigRead read) -> {
                    if (read.wrongType()) {
                        throw new WrongTypeException(hashKey, store.describe(), "hash");
                    }
                    ConfigValue v = read.entries().getOrDefault(key, ConfigValue.ABSENT);
                    if (v.refused()) {
                        throw new IllegalStateException("configuration '" + io.github.dubboredis.text.Printable.of(key)
                                + "' in group '" + group + "' is " + v.size() + " bytes, more than the " + MAX_CONTENT_BYTES
                                + " the Redis configuration centre reads");
                    }
                    String content = v.exists() && !v.content().isBlank() ? v.content() : null;
                    return new StoredConfig(content, v.exists() ? v.ticket() : null);
                });
    }

    /** Writes an entry and announces it (unless it held this content already). */
    public CompletableFuture<Boolean> put(String group, String key, String content) {
        checkContent(group, key, content);
        return store.putConfig(keyspace.hashKey(group), key, content, keyspace.channel(group)).thenApply(changed -> true);
    }

    /**
     * Writes an entry if its ticket is still {@code ticket} (null or empty: if it does not exist), in one atomic
     * step; false if it changed meanwhile (read it again, and try again).
     */
    public CompletableFuture<Boolean> putIfUnchanged(String group, String key, String content, String ticket) {
        checkContent(group, key, content);
        return store.compareAndPutConfig(keyspace.hashKey(group), key, content, ticket == null || ticket.isEmpty() ? null : ticket,
                keyspace.channel(group));
    }

    /** Removes an entry and announces it, also when there was none (listeners that still hold it let it go). */
    public CompletableFuture<Boolean> remove(String group, String key) {
        ConfigKeyspace.checkKey(key);
        return store.removeConfig(keyspace.hashKey(group), key, keyspace.channel(group));
    }

    /** Every key of a group with its content's size in bytes, sorted; read page by page. */
    public CompletableFuture<SortedMap<String, Long>> keys(String group) {
        return keys(keyspace.hashKey(group), null, new TreeMap<>(), Integer.MAX_VALUE).thenApply(KeyList::sizes);
    }

    /** Keys of a group, as {@link #keys(String)}, but no more than about {@code limit} (for tools that show them). */
    public CompletableFuture<KeyList> keys(String group, int limit) {
        return keys(keyspace.hashKey(group), null, new TreeMap<>(), limit);
    }

    /** Keys found with their sizes; {@code complete} is false when the listing stopped at its limit. */
    public record KeyList(SortedMap<String, Long> sizes, boolean complete) {
    }

    private CompletableFuture<KeyList> keys(String hashKey, Object from, SortedMap<String, Long> found, int limit) {
        return store.configKeys(hashKey, from, KEYS_PER_PAGE).thenCompose((ConfigPage page) -> {
            found.putAll(page.sizes());
            if (page.last()) {
                return CompletableFuture.completedFuture(new KeyList(found, true));
            }
            return found.size() >= limit ? CompletableFuture.completedFuture(new KeyList(found, false))
                    : keys(hashKey, page.next(), found, limit);
        });
    }

    /**
     * Tells {@code listener} every later change of an entry (not its current content: read that after this
     * completes). Completes once the entry's current content is known here, or could not be read (then the
     * first content found later is told).
     */
    public CompletableFuture<Void> listen(String group, String key, ConfigListener listener) {
        ConfigKeyspace.checkKey(key);
        keyspace.hashKey(group); // checks the group now, in the caller's thread
        return watch.listen(group, key, listener);
    }

    public CompletableFuture<Void> stopListening(String group, String key, ConfigListener listener) {
        return watch.stop(group, key, listener);
    }

    /** Reads every listened entry again now (what the periodic anti-entropy does). */
    public void resync() {
        store.scheduler().execute(watch::readEverything);
    }

    /** How many entries are listened to. */
    public CompletableFuture<Integer> listenedEntries() {
        return CompletableFuture.supplyAsync(watch::entryCount, store.scheduler());
    }

    /** Whether the caller runs on the store's thread, where nothing may wait for Redis. */
    public boolean isStoreThread() {
        return store.scheduler().inSchedulerThread();
    }

    /** Stops listening; the store is the caller's to release. */
    @Override
    public void close() {
        if (antiEntropy != null) {
            antiEntropy.cancel();
        }
        watch.close();
        store.removeListener(watch);
    }

    private static void checkContent(String group, String key, String content) {
        ConfigKeyspace.checkWritableKey(key);
        if (content == null || content.isBlank()) {
            throw new IllegalArgumentException("the content of configuration '" + io.github.dubboredis.text.Printable.of(key)
                    + "' in group '" + io.github.dubboredis.text.Printable.of(group) + "' is empty; to remove a configuration, "
                    + "remove it (removeConfig, or 'dubbo-redis-cli config rm')");
        }
        long bytes = content.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_CONTENT_BYTES) {
            throw new IllegalArgumentException("the content of configuration '" + io.github.dubboredis.text.Printable.of(key)
                    + "' in group '" + io.github.dubboredis.text.Printable.of(group) + "' is " + bytes + " bytes; the Redis "
                    + "configuration centre takes at most " + MAX_CONTENT_BYTES + " (1 MiB)");
        }
    }
}
