package io.github.dubboredis.registry;

import java.util.List;

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
        java.util.Set<String> fields = new java.util.HashSet<>();
        for (RegistryEntry e : liveEntries) {
            fields.add(e.field());
        }
        List<RegistryEntry> merged = new java.util.ArrayList<>(liveEntries);
        for (RegistryEntry e : earlier.liveEntries) {
            if (fields.add(e.field())) {
                merged.add(e);
            }
        }
        return merged.size() == liveEntries.size() ? this : new KeySnapshot(key, merged, readSequence);
    }

    /**
     * This snapshot plus the entries of an earlier one that it lacks and that had not expired by
     * {@code now}; this same snapshot if there are none.
     */
    KeySnapshot keepingUnexpiredEntriesOf(KeySnapshot earlier, long now) {
        java.util.Set<String> fields = new java.util.HashSet<>();
        for (RegistryEntry e : liveEntries) {
            fields.add(e.field());
        }
        List<RegistryEntry> merged = new java.util.ArrayList<>(liveEntries);
        for (RegistryEntry e : earlier.liveEntries) {
            if (e.isLiveAt(now) && fields.add(e.field())) {
                merged.add(e);
            }
        }
        return merged.size() == liveEntries.size() ? this : new KeySnapshot(key, merged, readSequence);
    }

    /** The earliest expiry among this snapshot's entries that {@code other} lacks. */
    long earliestExpiryOfEntriesNotIn(KeySnapshot other) {
        java.util.Set<String> fields = new java.util.HashSet<>();
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

    boolean sameEntriesAs(KeySnapshot other) {
        if (other == null || other.liveEntries.size() != liveEntries.size()) {
            return false;
        }
        for (int i = 0; i < liveEntries.size(); i++) {
            if (!liveEntries.get(i).field().equals(other.liveEntries.get(i).field())) {
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
