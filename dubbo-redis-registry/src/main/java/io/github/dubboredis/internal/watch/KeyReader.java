package io.github.dubboredis.internal.watch;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import io.github.dubboredis.internal.model.CategoryKey;
import io.github.dubboredis.internal.store.HashPage;
import io.github.dubboredis.internal.store.RegistryStore;

/**
 * Reads a whole hash page by page (HSCAN), so that no single command holds Redis, or runs into the command
 * timeout, however big the key: its size and change sequence come with the first page. A key with more
 * entries than the limit is not read at all (see {@link Result#refusedSize()}): memory and time stay
 * bounded, and every other key keeps working.
 */
final class KeyReader {

    /** Fields asked for per page; Redis returns small hashes whole in the first page anyway. */
    static final int PAGE = 1000;

    private final RegistryStore store;
    private final long maxEntries;

    KeyReader(RegistryStore store, long maxEntries) {
        this.store = store;
        this.maxEntries = maxEntries;
    }

    long maxEntries() {
        return maxEntries;
    }

    /**
     * What a read found.
     *
     * @param entries field to value; empty when refused
     * @param sequence the key's change sequence when the read started (0: none)
     * @param refusedSize the key's size when it was refused for being over the limit, else -1
     */
    record Result(Map<String, String> entries, long sequence, long refusedSize) {
        boolean refused() {
            return refusedSize >= 0;
        }
    }

    CompletableFuture<Result> read(CategoryKey key) {
        return store.readFirstPage(key, PAGE).thenCompose(first -> {
            if (first.size() > maxEntries) {
                return CompletableFuture.completedFuture(new Result(Map.of(), first.sequence(), first.size()));
            }
            Map<String, String> entries = new LinkedHashMap<>(Math.max(16, (int) Math.min(first.size(), maxEntries) * 2));
            entries.putAll(first.entries());
            if (first.last()) {
                return CompletableFuture.completedFuture(new Result(entries, first.sequence(), -1));
            }
            return rest(key, first.cursor(), entries).thenApply(all -> all == null
                    ? new Result(Map.of(), first.sequence(), entries.size())
                    : new Result(all, first.sequence(), -1));
        });
    }

    /** The remaining pages; null if the key grew past the limit while it was read. */
    private CompletableFuture<Map<String, String>> rest(CategoryKey key, String cursor, Map<String, String> entries) {
        return store.readNextPage(key, cursor, PAGE).thenCompose((HashPage page) -> {
            entries.putAll(page.entries());
            if (entries.size() > maxEntries) {
                return CompletableFuture.completedFuture(null);
            }
            return page.last() ? CompletableFuture.completedFuture(entries) : rest(key, page.cursor(), entries);
        });
    }
}
