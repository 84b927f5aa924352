package io.github.dubboredis.registry;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import io.github.dubboredis.redis.RedisStore;
import io.github.dubboredis.redis.WrongTypeException;

/**
 * The registry's data as an operator sees it: every key under the root and every application's
 * instances, each entry live, dead (past its expiry on Redis's clock) or unreadable, and the means to
 * remove the dead ones the way the registry itself does. For tools, not for applications.
 */
public final class RegistryInspector {

    /** One entry of a key: its field, its raw value, its expiry and state. */
    public record Entry(String field, String value, long expiryMillis, boolean dynamic, State state, String problem) {

        /** Milliseconds until it expires (negative: expired); {@link Long#MAX_VALUE} for static entries. */
        public long millisLeft(long redisNow) {
            return dynamic ? expiryMillis - redisNow : Long.MAX_VALUE;
        }
    }

    public enum State { LIVE, DEAD, UNREADABLE }

    /** What one key holds, or why it cannot be read. */
    public record KeyReport(String redisKey, CategoryKey key, String type, List<Entry> entries, String problem) {

        public long count(State state) {
            return entries.stream().filter(e -> e.state() == state).count();
        }
    }

    private final RedisStore store;
    private final RegistryRoot root;

    public RegistryInspector(RedisStore store, RegistryRoot root) {
        this.store = store;
        this.root = root;
    }

    public RegistryRoot root() {
        return root;
    }

    public CompletableFuture<Long> redisNow() {
        return store.serverTimeMillis();
    }

    /** Every key under the root (SCAN), read. */
    public CompletableFuture<List<KeyReport>> interfaceLevel() {
        return store.scanKeys(root.pattern()).thenCompose(keys -> readAll(keys, root::parse));
    }

    /** One service's categories. */
    public CompletableFuture<List<KeyReport>> service(String service) {
        return store.scanKeys(root.root() + service + "/*").thenCompose(keys -> readAll(keys, root::parse));
    }

    /** Every application's instances key, read. */
    public CompletableFuture<List<KeyReport>> applicationLevel() {
        String prefix = root.instancesPrefix();
        return store.scanKeys(prefix + "*").thenCompose(keys -> readAll(keys,
                k -> Optional.of(root.instancesKey(k.substring(prefix.length())))));
    }

    private CompletableFuture<List<KeyReport>> readAll(List<String> keys,
            java.util.function.Function<String, Optional<CategoryKey>> parse) {
        return store.serverTimeMillis().thenCompose(now -> {
            Map<String, CompletableFuture<KeyReport>> reads = new LinkedHashMap<>();
            for (String k : keys.stream().sorted().toList()) {
                reads.put(k, read(k, parse.apply(k).orElse(null), now));
            }
            return CompletableFuture.allOf(reads.values().toArray(CompletableFuture[]::new))
                    .thenApply(ignored -> reads.values().stream().map(CompletableFuture::join).toList());
        });
    }

    private CompletableFuture<KeyReport> read(String redisKey, CategoryKey key, long now) {
        return store.readHash(redisKey).handle((hash, e) -> {
            if (e != null) {
                boolean wrongType = e instanceof WrongTypeException || e.getCause() instanceof WrongTypeException;
                if (!wrongType) {
                    throw new java.util.concurrent.CompletionException(e);
                }
                return new KeyReport(redisKey, key, "not a hash", List.of(), "not a hash: the registry skips it");
            }
            List<Entry> entries = new ArrayList<>();
            for (Map.Entry<String, String> f : hash.entrySet()) {
                try {
                    RegistryEntry entry = RegistryEntry.parse(f.getKey(), f.getValue());
                    entries.add(new Entry(f.getKey(), f.getValue(), entry.expiryMillis(), entry.dynamic(),
                            entry.isLiveAt(now) ? State.LIVE : State.DEAD, null));
                } catch (RegistryEntry.MalformedEntryException bad) {
                    entries.add(new Entry(f.getKey(), f.getValue(), 0, true, State.UNREADABLE, bad.getMessage()));
                }
            }
            String problem = key == null ? "not of the form " + root.root() + "<service>/<category>" : null;
            return new KeyReport(redisKey, key, "hash", entries, problem);
        });
    }

    /**
     * Removes, and announces with {@code unregister}, every dynamic entry under the root more than
     * {@code graceMillis} past its expiry, with the registry's own atomic script; completes with how many.
     */
    public CompletableFuture<Integer> reap(long graceMillis) {
        return sweepAll(root.pattern(), graceMillis).thenCompose(underRoot ->
                sweepAll(root.instancesPrefix() + "*", graceMillis).thenApply(instances -> underRoot + instances));
    }

    private CompletableFuture<Integer> sweepAll(String pattern, long graceMillis) {
        return store.scanKeys(pattern).thenCompose(keys -> {
            List<CompletableFuture<Integer>> each = new ArrayList<>();
            for (String k : keys) {
                each.add(store.runScript(RegistryScripts.SWEEP_EXPIRED, k, List.of(Long.toString(graceMillis)))
                        .handle((r, e) -> e == null ? ((Number) r.get(0)).intValue() : 0));
            }
            return CompletableFuture.allOf(each.toArray(CompletableFuture[]::new))
                    .thenApply(ignored -> each.stream().mapToInt(CompletableFuture::join).sum());
        });
    }

    /** The store, for the checks of a doctor (server info, configuration, latency). */
    public RedisStore store() {
        return store;
    }
}
