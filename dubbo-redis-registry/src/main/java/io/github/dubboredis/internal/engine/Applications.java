package io.github.dubboredis.internal.engine;

import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;

import io.github.dubboredis.internal.model.Keyspace;
import io.github.dubboredis.internal.store.KeyPage;
import io.github.dubboredis.internal.store.RegistryStore;

/** The applications that have instances registered, found page by page with SCAN (never KEYS). */
public final class Applications {

    private final RegistryStore store;
    private final Keyspace keyspace;

    Applications(RegistryStore store, Keyspace keyspace) {
        this.store = store;
        this.keyspace = keyspace;
    }

    public CompletableFuture<Set<String>> list() {
        return scan(null, new TreeSet<>());
    }

    private CompletableFuture<Set<String>> scan(Object from, Set<String> apps) {
        String prefix = keyspace.instancesPrefix();
        return store.scanKeys(prefix + "*", from, 1000).thenCompose((KeyPage page) -> {
            for (String k : page.keys()) {
                if (k.length() > prefix.length()) {
                    apps.add(k.substring(prefix.length()));
                }
            }
            return page.last() ? CompletableFuture.completedFuture(apps) : scan(page.next(), apps);
        });
    }
}
