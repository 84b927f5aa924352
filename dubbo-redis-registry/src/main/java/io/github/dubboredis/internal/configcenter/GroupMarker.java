package io.github.dubboredis.internal.configcenter;

import java.util.UUID;

import io.github.dubboredis.internal.concurrent.Scheduler;
import io.github.dubboredis.internal.store.RegistryStore;

/**
 * Tells whether Redis lost a configuration group's data, which no message announces: a marker key beside the
 * group's hash (same slot) holds a random value, read in the same step as the entries. Found missing or changed,
 * the data behind it is not the data known before. The first reader after a loss writes a new marker
 * ({@code SET NX}); the others adopt it. Confined to the store's thread.
 */
final class GroupMarker {

    private final RegistryStore store;
    private final Scheduler scheduler;
    private final String key;
    /** The marker as last seen; null: not seen yet (or lost, and a new one is on its way). */
    private String known;
    /** A new marker is being written: whatever marker shows up next is taken as it. */
    private boolean establishing;

    GroupMarker(RegistryStore store, String key) {
        this.store = store;
        this.scheduler = store.scheduler();
        this.key = key;
    }

    String key() {
        return key;
    }

    /**
     * Takes a marker read along with the group's entries; true when it says the data is not the data known before.
     * A marker never learnt (its first writing failed) while entries are held proves nothing either way: with
     * {@code holding} that counts as a loss too, so that Redis losing its data right after the first read takes
     * nothing away.
     */
    boolean lost(String seen, boolean holding) {
        String before = known;
        if (seen != null && seen.equals(before)) {
            return false;
        }
        known = seen;
        if (seen == null) {
            if (establishing) {
                return before != null;
            }
            establishing = true;
            store.establishMarker(key, UUID.randomUUID().toString()).whenCompleteAsync((value, failure) -> {
                establishing = false;
                if (failure == null && known == null) {
                    known = value;
                }
            }, scheduler);
            return before != null || holding;
        }
        if (before == null) {
            return holding && !establishing; // while we write one, the one that shows up is taken as ours
        }
        return true;
    }
}
