package io.github.dubboredis.registry;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** What a category hash held when it was last read: its live entries, in Redis's order. */
public final class KeySnapshot {

    private final CategoryKey key;
    private final List<RegistryEntry> liveEntries;
    private final long readSequence;

    KeySnapshot(CategoryKey key, List<RegistryEntry> liveEntries, long readSequence) {
        this.key = key;
        this.liveEntries = List.copyOf(liveEntries);
        this.readSequence = readSequence;
    }

    public CategoryKey key() {
        return key;
    }

    public List<RegistryEntry> liveEntries() {
        return liveEntries;
    }

    /** Reads are numbered as they are sent; a higher number saw a later state of Redis. */
    long readSequence() {
        return readSequence;
    }

    /** This snapshot plus the entries of an earlier one that it lacks: nothing is taken away. */
    KeySnapshot keepingEntriesOf(KeySnapshot earlier) {
        Set<String> fields = new HashSet<>();
        for (RegistryEntry e : liveEntries) {
            fields.add(e.field());
        }
        List<RegistryEntry> merged = new ArrayList<>(liveEntries);
        for (RegistryEntry e : earlier.liveEntries) {
            if (fields.add(e.field())) {
                merged.add(e);
            }
        }
        return merged.size() == liveEntries.size() ? this : new KeySnapshot(key, merged, readSequence);
    }

    /**
     * This snapshot plus the dynamic entries of an earlier one that it lacks and that had not expired by
     * {@code now}, each kept until {@code now + holdMillis} at the latest (an entry already kept keeps its
     * earlier deadline); this same snapshot if there are none.
     */
    KeySnapshot keepingVanishedDynamicEntriesOf(KeySnapshot earlier, long now, long holdMillis) {
        Set<String> fields = new HashSet<>();
        for (RegistryEntry e : liveEntries) {
            fields.add(e.field());
        }
        List<RegistryEntry> merged = new ArrayList<>(liveEntries);
        for (RegistryEntry e : earlier.liveEntries) {
            if (e.dynamic() && e.isLiveAt(now) && fields.add(e.field())) {
                merged.add(e.expiringBy(now + holdMillis));
            }
        }
        return merged.size() == liveEntries.size() ? this : new KeySnapshot(key, merged, readSequence);
    }

    /** The earliest expiry among this snapshot's entries that {@code other} lacks. */
    long earliestExpiryOfEntriesNotIn(KeySnapshot other) {
        Set<String> fields = new HashSet<>();
        for (RegistryEntry e : other.liveEntries) {
            fields.add(e.field());
        }
        long earliest = Long.MAX_VALUE;
        for (RegistryEntry e : liveEntries) {
            if (!fields.contains(e.field()) && e.dynamic()) {
                earliest = Math.min(earliest, e.expiryMillis());
            }
        }
        return earliest;
    }

    /** The same entries, in any order (Redis may return a hash's fields in another order each time). */
    boolean sameEntriesAs(KeySnapshot other) {
        if (other == null || other.liveEntries.size() != liveEntries.size()) {
            return false;
        }
        Set<String> fields = new HashSet<>();
        for (RegistryEntry e : liveEntries) {
            fields.add(e.field());
        }
        for (RegistryEntry e : other.liveEntries) {
            if (!fields.contains(e.field())) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return key + liveEntries.toString();
    }
}
