package io.github.dubboredis.internal.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a category hash holds as far as a subscriber knows: its live entries (by field, in the order they
 * were learnt) and the sequence number of the last change applied to them (0 when unknown). Immutable: a
 * change makes a new snapshot, which is what the listeners are handed.
 */
public final class KeySnapshot {

    private final CategoryKey key;
    private final Map<String, RegistryEntry> entries;
    private final long sequence;
    private List<RegistryEntry> list;

    private KeySnapshot(CategoryKey key, Map<String, RegistryEntry> entries, long sequence) {
        this.key = key;
        this.entries = entries;
        this.sequence = sequence;
    }

    public static KeySnapshot of(CategoryKey key, List<RegistryEntry> entries, long sequence) {
        Map<String, RegistryEntry> map = new LinkedHashMap<>(entries.size() * 2);
        for (RegistryEntry e : entries) {
            map.put(e.field(), e);
        }
        return new KeySnapshot(key, Collections.unmodifiableMap(map), sequence);
    }

    public static KeySnapshot empty(CategoryKey key) {
        return new KeySnapshot(key, Map.of(), 0);
    }

    public CategoryKey key() {
        return key;
    }

    public List<RegistryEntry> liveEntries() {
        List<RegistryEntry> l = list;
        if (l == null) {
            l = List.copyOf(entries.values());
            list = l;
        }
        return l;
    }

    public int size() {
        return entries.size();
    }

    public boolean contains(String field) {
        return entries.containsKey(field);
    }

    public RegistryEntry entry(String field) {
        return entries.get(field);
    }

    /** The sequence number of the last change this snapshot includes; 0 when unknown. */
    public long sequence() {
        return sequence;
    }

    /** This snapshot with one change applied. */
    public KeySnapshot with(ChangeRecord change) {
        Map<String, RegistryEntry> map = new LinkedHashMap<>(entries);
        if (change.put()) {
            map.put(change.field(), RegistryEntry.of(change.field(), RegistryEntry.parseExpiry(change.value())));
        } else {
            map.remove(change.field());
        }
        return new KeySnapshot(key, Collections.unmodifiableMap(map), change.sequence());
    }

    /** This snapshot without one entry (at the same sequence). */
    public KeySnapshot without(String field) {
        if (!entries.containsKey(field)) {
            return this;
        }
        Map<String, RegistryEntry> map = new LinkedHashMap<>(entries);
        map.remove(field);
        return new KeySnapshot(key, Collections.unmodifiableMap(map), sequence);
    }

    /** The same entries at another sequence number. */
    public KeySnapshot atSequence(long newSequence) {
        return newSequence == sequence ? this : new KeySnapshot(key, entries, newSequence);
    }

    /** This snapshot plus the entries of an earlier one that it lacks: nothing is taken away. */
    public KeySnapshot keepingEntriesOf(KeySnapshot earlier) {
        Map<String, RegistryEntry> merged = null;
        for (RegistryEntry e : earlier.entries.values()) {
            if (!entries.containsKey(e.field())) {
                merged = merged == null ? new LinkedHashMap<>(entries) : merged;
                merged.put(e.field(), e);
            }
        }
        return merged == null ? this : new KeySnapshot(key, Collections.unmodifiableMap(merged), sequence);
    }

    /**
     * This snapshot plus the dynamic entries of an earlier one that it lacks and that had not expired by
     * {@code now}, each kept until {@code now + holdMillis} at the latest (an entry already kept keeps its
     * earlier deadline); this same snapshot if there are none.
     */
    public KeySnapshot keepingVanishedDynamicEntriesOf(KeySnapshot earlier, long now, long holdMillis) {
        Map<String, RegistryEntry> merged = null;
        for (RegistryEntry e : earlier.entries.values()) {
            if (e.dynamic() && e.isLiveAt(now) && !entries.containsKey(e.field())) {
                merged = merged == null ? new LinkedHashMap<>(entries) : merged;
                merged.put(e.field(), e.expiringBy(now + holdMillis));
            }
        }
        return merged == null ? this : new KeySnapshot(key, Collections.unmodifiableMap(merged), sequence);
    }

    /** The earliest expiry among this snapshot's dynamic entries that {@code other} lacks. */
    public long earliestExpiryOfEntriesNotIn(KeySnapshot other) {
        long earliest = Long.MAX_VALUE;
        for (RegistryEntry e : entries.values()) {
            if (e.dynamic() && !other.entries.containsKey(e.field())) {
                earliest = Math.min(earliest, e.expiryMillis());
            }
        }
        return earliest;
    }

    /** The fields of this snapshot that {@code other} lacks. */
    public List<String> fieldsNotIn(KeySnapshot other) {
        List<String> missing = new ArrayList<>();
        for (String f : entries.keySet()) {
            if (other == null || !other.entries.containsKey(f)) {
                missing.add(f);
            }
        }
        return missing;
    }

    /** The same fields (expiries aside), in any order: Redis may return a hash's fields in another order each time. */
    public boolean sameEntriesAs(KeySnapshot other) {
        if (other == null || other.entries.size() != entries.size()) {
            return false;
        }
        for (String f : other.entries.keySet()) {
            if (!entries.containsKey(f)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return key + "@" + sequence + entries.values();
    }
}
