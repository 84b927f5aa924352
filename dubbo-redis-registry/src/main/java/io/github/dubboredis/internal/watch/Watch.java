package io.github.dubboredis.internal.watch;

import java.util.List;

import io.github.dubboredis.internal.model.CategoryKey;
import io.github.dubboredis.internal.model.KeySnapshot;

/**
 * Interest in some category keys, or in every key under the root (an admin), with the listener that
 * receives their contents: first all of them at once, then each key again whenever it changes.
 */
public final class Watch {

    /** Receives snapshots on the registry's thread; must not block for long. */
    public interface Listener {
        void onSnapshots(List<KeySnapshot> snapshots);
    }

    private final List<CategoryKey> keys;
    private final boolean everything;
    private final boolean withInstances;
    private final Listener listener;

    private Watch(List<CategoryKey> keys, boolean everything, boolean withInstances, Listener listener) {
        this.keys = List.copyOf(keys);
        this.everything = everything;
        this.withInstances = withInstances;
        this.listener = listener;
    }

    public static Watch of(List<CategoryKey> keys, Listener listener) {
        return new Watch(keys, false, false, listener);
    }

    /** Every key under the root, found with PSUBSCRIBE and SCAN, like the older registry's admin. */
    public static Watch everything(Listener listener) {
        return new Watch(List.of(), true, false, listener);
    }

    /** Every key under the root and every application's instances key (an operator's tool). */
    public static Watch everythingWithInstances(Listener listener) {
        return new Watch(List.of(), true, true, listener);
    }

    public List<CategoryKey> keys() {
        return keys;
    }

    public boolean everything() {
        return everything;
    }

    /** An everything-watch that also hears application instances keys. */
    public boolean withInstances() {
        return withInstances;
    }

    public Listener listener() {
        return listener;
    }
}
