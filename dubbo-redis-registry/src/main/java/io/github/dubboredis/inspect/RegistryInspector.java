package io.github.dubboredis.inspect;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import io.github.dubboredis.internal.metadata.ServiceAppMappings;
import io.github.dubboredis.internal.model.CategoryKey;
import io.github.dubboredis.internal.model.Keyspace;
import io.github.dubboredis.internal.model.RegistryEntry;
import io.github.dubboredis.internal.store.HashPage;
import io.github.dubboredis.internal.store.KeyPage;
import io.github.dubboredis.internal.store.RedisAccessException;
import io.github.dubboredis.internal.store.RegistryStore;
import io.github.dubboredis.internal.store.ScanStep;

/**
 * The registry's data as an operator sees it: every key under the root and every application's instances,
 * each entry live, dead (past its expiry on Redis's clock) or unreadable, and the means to remove the dead
 * ones the way the registry itself does. Bounded whatever the data: keys are found page by page (SCAN),
 * each key is read page by page (HSCAN) and only counted past the first {@code keep} entries, and a key
 * bigger than the registry's {@code key.max-entries} is flagged, not read. Names are taken literally, never
 * as patterns.
 */
public final class RegistryInspector {

    static final String[] CATEGORIES = {"providers", "consumers", "routers", "configurators"};
    private static final int PAGE = 1000;

    /** An entry's state. */
    public enum State { LIVE, DEAD, UNREADABLE }

    /** One entry of a key: its field, its raw value, its expiry and state (raw Redis data: escape before showing). */
    public record EntryReport(String field, String value, long expiryMillis, boolean dynamic, State state, String problem) {

        /** Milliseconds until it expires (negative: expired); {@link Long#MAX_VALUE} for static entries. */
        public long millisLeft(long redisNow) {
            return dynamic ? expiryMillis - redisNow : Long.MAX_VALUE;
        }
    }

    /**
     * What one key holds, or why it cannot be read.
     *
     * @param service the service (or application) the key is of; null for a key that is not a registry key
     * @param category the category ({@code instances} for an application); null likewise
     * @param size the number of fields (HLEN); -1 when not a hash
     * @param live live entries counted
     * @param dead dead entries counted
     * @param unreadable unreadable entries counted
     * @param entries the first entries, at most the {@code keep} asked for
     * @param tooLarge bigger than {@code key.max-entries}: not read, not counted (registries refuse it too)
     * @param problem why the key is not what the registry expects; null when it is
     */
    public record KeyReport(String redisKey, String service, String category, long size, long live, long dead, long unreadable,
            List<EntryReport> entries, boolean tooLarge, String problem) {

        /** Whether {@link #entries()} holds every entry of the key. */
        public boolean complete() {
            return !tooLarge && entries.size() == live + dead + unreadable;
        }
    }

    private final RegistryStore store;
    private final Keyspace keyspace;
    private final long maxEntriesPerKey;

    RegistryInspector(RegistryStore store, Keyspace keyspace, long maxEntriesPerKey) {
        this.store = store;
        this.keyspace = keyspace;
        this.maxEntriesPerKey = maxEntriesPerKey;
    }

    /** The root, e.g. {@code /dubbo/}. */
    public String root() {
        return keyspace.root();
    }

    public long maxEntriesPerKey() {
        return maxEntriesPerKey;
    }

    public CompletableFuture<Long> redisNow() {
        return store.serverTimeMillis();
    }

    /** Every key under the root, each read keeping at most {@code keep} entries. */
    public CompletableFuture<List<KeyReport>> interfaceLevel(int keep) {
        return scanAll(keyspace.pattern()).thenCompose(keys -> readAll(keys, keep));
    }

    /** One service's categories, by its literal name. */
    public CompletableFuture<List<KeyReport>> service(String service, int keep) {
        // The four categories Dubbo uses, by name, and any other one found by a SCAN whose pattern is the
        // name with every glob character escaped: 'com.x.*' is a service called that, not a pattern.
        return scanAll(keyspace.root() + escapeGlob(service) + "/*").thenCompose(found -> {
            List<String> keys = new ArrayList<>();
            for (String c : CATEGORIES) {
                if (service.indexOf('/') < 0 && !service.isEmpty()) {
                    keys.add(keyspace.key(service, c).redisKey());
                }
            }
            for (String k : found) {
                if (!keys.contains(k)) {
                    keys.add(k);
                }
            }
            return readAll(keys, keep).thenApply(reports -> reports.stream().filter(r -> r.size() != 0).toList());
        });
    }

    /** Every application's instances key. */
    public CompletableFuture<List<KeyReport>> applicationLevel(int keep) {
        return scanAll(keyspace.instancesPrefix() + "*").thenCompose(keys -> readAll(keys, keep));
    }

    /** One application's instances, by its literal name. */
    public CompletableFuture<KeyReport> application(String name, int keep) {
        return read(keyspace.instancesKey(name).redisKey(), keep);
    }

    /**
     * The interface-to-application mapping of Dubbo 3 (the metadata centre's hash {@link #mappingKey()}): its
     * size and the first {@code limit} interfaces with their applications, sorted by interface.
     *
     * @param key the hash's name
     * @param size its field count (HLEN); -1 when it is not a hash
     * @param mappings the first interfaces read, at most the limit asked for (HSCAN order decides which ones)
     * @param problem why it cannot be read; null when it can
     */
    public record MappingReport(String key, long size, List<Mapping> mappings, String problem) {

        /** Whether {@link #mappings()} holds every interface of the hash. */
        public boolean complete() {
            return problem == null && mappings.size() >= size;
        }
    }

    /** One interface and the applications that provide it (raw Redis data: escape before showing). */
    public record Mapping(String serviceInterface, List<String> applications) {
    }

    /**
     * The hash of the interface-to-application mapping: the group and {@code :mapping}, {@code dubbo:mapping} for
     * the default group, as the metadata centre writes it (the group is the root without its slashes).
     */
    public String mappingKey() {
        String group = keyspace.root().substring(1, keyspace.root().length() - 1);
        return group + ":mapping";
    }

    /**
     * Reads the mapping page by page (HSCAN), stopping once {@code limit} interfaces are kept: bounded however
     * many interfaces there are. Applications are the value split at commas, as Dubbo reads it.
     */
    public CompletableFuture<MappingReport> mappings(int limit) {
        String name = mappingKey();
        return store.hashSize(name).handle((size, e) -> {
            if (e != null) {
                if (RedisAccessException.isWrongType(e) || String.valueOf(e.getMessage()).contains("WRONGTYPE")) {
                    return CompletableFuture.completedFuture(new MappingReport(name, -1, List.<Mapping>of(), "not a hash"));
                }
                return CompletableFuture.<MappingReport>failedFuture(e);
            }
            if (size == 0 || limit <= 0) {
                return CompletableFuture.completedFuture(new MappingReport(name, size, List.<Mapping>of(), null));
            }
            return mappingPages(keyspace.anyKey(name), null, limit, new java.util.TreeMap<>())
                    .thenApply(found -> new MappingReport(name, size, found.entrySet().stream()
                            .map(m -> new Mapping(m.getKey(), List.copyOf(ServiceAppMappings.parse(m.getValue())))).toList(), null));
        }).thenCompose(f -> f);
    }

    private CompletableFuture<Map<String, String>> mappingPages(CategoryKey key, String cursor, int limit, Map<String, String> found) {
        CompletableFuture<HashPage> page = cursor == null ? store.readFirstPage(key, PAGE) : store.readNextPage(key, cursor, PAGE);
        return page.thenCompose(p -> {
            for (Map.Entry<String, String> m : p.entries().entrySet()) {
                if (found.size() < limit) {
                    found.put(m.getKey(), m.getValue());
                }
            }
            return p.last() || found.size() >= limit ? CompletableFuture.completedFuture(found)
                    : mappingPages(key, p.cursor(), limit, found);
        });
    }

    /** Every key matching a pattern, page by page, sorted. */
    private CompletableFuture<List<String>> scanAll(String pattern) {
        return scan(pattern, null, new ArrayList<>()).thenApply(keys -> keys.stream().sorted().distinct().toList());
    }

    private CompletableFuture<List<String>> scan(String pattern, Object from, List<String> found) {
        return store.scanKeys(pattern, from, PAGE).thenCompose((KeyPage page) -> {
            found.addAll(page.keys());
            return page.last() ? CompletableFuture.completedFuture(found) : scan(pattern, page.next(), found);
        });
    }

    /** One key after the other: an operator's tool must not flood Redis either. */
    private CompletableFuture<List<KeyReport>> readAll(List<String> keys, int keep) {
        List<KeyReport> reports = new ArrayList<>();
        CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
        for (String k : keys) {
            chain = chain.thenCompose(x -> read(k, keep)).thenAccept(reports::add);
        }
        return chain.thenApply(x -> reports);
    }

    /** Reads one key, bounded: flagged without reading when too large, counted page by page otherwise. */
    public CompletableFuture<KeyReport> read(String redisKey, int keep) {
        Optional<CategoryKey> parsed = keyspace.parseEntryKey(redisKey);
        String service = parsed.map(CategoryKey::service).orElse(null);
        String category = parsed.map(CategoryKey::category).orElse(null);
        String shapeProblem = parsed.isEmpty() ? "not of the form " + keyspace.root() + "<service>/<category>" : null;
        CategoryKey key = parsed.orElseGet(() -> keyspace.anyKey(redisKey));
        CompletableFuture<Long> now = store.serverTimeMillis();
        CompletableFuture<Long> size = store.hashSize(redisKey).exceptionally(e -> {
            if (RedisAccessException.isWrongType(e) || String.valueOf(e.getMessage()).contains("WRONGTYPE")) {
                return -1L;
            }
            throw new CompletionException(e);
        });
        return now.thenCombine(size, (n, s) -> new long[] {n, s}).thenCompose(nowAndSize -> {
            long hlen = nowAndSize[1];
            if (hlen < 0) {
                return CompletableFuture.completedFuture(new KeyReport(redisKey, service, category, -1, 0, 0, 0, List.of(), false,
                        "not a hash: the registry skips it"));
            }
            if (hlen > maxEntriesPerKey) {
                return CompletableFuture.completedFuture(new KeyReport(redisKey, service, category, hlen, 0, 0, 0, List.of(), true,
                        "holds " + hlen + " entries, more than key.max-entries (" + maxEntriesPerKey + "): registries do not read it"));
            }
            if (hlen == 0) {
                return CompletableFuture.completedFuture(new KeyReport(redisKey, service, category, 0, 0, 0, 0, List.of(), false,
                        shapeProblem));
            }
            return pages(key, null, new Tally(nowAndSize[0], keep)).thenApply(t -> new KeyReport(redisKey, service, category,
                    hlen, t.live, t.dead, t.unreadable, List.copyOf(t.kept), false, shapeProblem));
        });
    }

    private CompletableFuture<Tally> pages(CategoryKey key, String cursor, Tally tally) {
        CompletableFuture<HashPage> page = cursor == null ? store.readFirstPage(key, PAGE) : store.readNextPage(key, cursor, PAGE);
        return page.thenCompose(p -> {
            tally.add(p.entries());
            return p.last() ? CompletableFuture.completedFuture(tally) : pages(key, p.cursor(), tally);
        });
    }

    /**
     * Counts entries by state, keeping the first few. A scan may return a field twice (when Redis resizes the hash
     * meanwhile), so fields are told apart by name; but only the first {@value #DISTINCT_FIELDS} of them, so that
     * memory stays bounded whatever {@code key.max-entries} allows: beyond, a field met twice is counted twice.
     */
    private static final class Tally {
        static final int DISTINCT_FIELDS = 100_000;
        final long now;
        final int keep;
        final List<EntryReport> kept = new ArrayList<>();
        final java.util.Set<String> seen = new java.util.HashSet<>();
        long live;
        long dead;
        long unreadable;

        Tally(long now, int keep) {
            this.now = now;
            this.keep = keep;
        }

        void add(Map<String, String> entries) {
            for (Map.Entry<String, String> f : entries.entrySet()) {
                if (seen.contains(f.getKey())) {
                    continue; // a scan may return a field twice
                }
                if (seen.size() < DISTINCT_FIELDS) {
                    seen.add(f.getKey());
                }
                EntryReport report;
                try {
                    RegistryEntry entry = RegistryEntry.parse(f.getKey(), f.getValue());
                    boolean alive = entry.isLiveAt(now);
                    report = new EntryReport(f.getKey(), f.getValue(), entry.expiryMillis(), entry.dynamic(),
                            alive ? State.LIVE : State.DEAD, null);
                    if (alive) {
                        live++;
                    } else {
                        dead++;
                    }
                } catch (RegistryEntry.MalformedEntryException bad) {
                    report = new EntryReport(f.getKey(), f.getValue(), 0, true, State.UNREADABLE, bad.getMessage());
                    unreadable++;
                }
                if (kept.size() < keep) {
                    kept.add(report);
                }
            }
        }
    }

    /**
     * Removes, and announces, every dynamic entry under the root and in every instances key more than
     * {@code graceMillis} past its expiry, with the registry's own bounded steps; completes with how many.
     */
    public CompletableFuture<Integer> reap(long graceMillis) {
        return scanAll(keyspace.pattern()).thenCompose(root -> scanAll(keyspace.instancesPrefix() + "*").thenCompose(apps -> {
            List<String> all = new ArrayList<>(root);
            all.addAll(apps);
            CompletableFuture<Integer> total = CompletableFuture.completedFuture(0);
            for (String name : all) {
                Optional<CategoryKey> k = keyspace.parseEntryKey(name);
                if (k.isPresent()) {
                    total = total.thenCompose(n -> reapKey(k.get(), graceMillis, "0").thenApply(m -> n + m));
                }
            }
            return total;
        }));
    }

    private CompletableFuture<Integer> reapKey(CategoryKey key, long grace, String cursor) {
        return store.removeExpiredEntries(key, grace, cursor, 256).handle((ScanStep step, Throwable e) -> {
            if (e != null) {
                if (RedisAccessException.isWrongType(e)) {
                    return CompletableFuture.completedFuture(0);
                }
                throw new CompletionException(e);
            }
            return step.last() ? CompletableFuture.completedFuture(step.removed())
                    : reapKey(key, grace, step.cursor()).thenApply(n -> n + step.removed());
        }).thenCompose(f -> f);
    }

    /** Escapes the characters SCAN MATCH treats as a pattern, so a name is matched literally. */
    static String escapeGlob(String name) {
        StringBuilder s = new StringBuilder(name.length() + 8);
        for (char c : name.toCharArray()) {
            if ("*?[]\\^".indexOf(c) >= 0) {
                s.append('\\');
            }
            s.append(c);
        }
        return s.toString();
    }
}
