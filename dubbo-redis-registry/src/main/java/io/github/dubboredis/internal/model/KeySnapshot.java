package io.github.dubboredis.internal.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a category hash holds as far as a subscriber knows: its live entries (by field, in the order they
 * were learnt) and the sequence number of the last change applied to them (0 when unknown). Immutable: a
 * change makes a new snapshot, which is what the listeners are handed.
 *
 * <p>A snapshot made by applying changes shares the entries of the one it came from and keeps its own changes
 * beside them, so that a change costs in proportion to the changes since the entries were last laid out whole
 * (at most about the square root of the key's size), not to the key's size: with thousands of providers and as
 * many subscribers, a provider that comes or goes must not copy every provider once per subscriber.
 */
public final class KeySnapshot {

    private final CategoryKey key;
    /** Entries as last laid out whole; shared by the snapshots derived from it by changes. Never modified. */
    private final Map<String, RegistryEntry> base;
    /** Fields of {@link #base} removed since. */
    private final Set<String> removed;
    /** Fields of {@link #base} with another entry since (a new expiry), kept in their place. */
    private final Map<String, RegistryEntry> updated;
    /** Fields added since (not in {@link #base}, or removed from it and added again), in the order they came. */
    private final LinkedHashMap<String, RegistryEntry> appended;
    private final int size;
    private final long sequence;
    private List<RegistryEntry> list;

    private KeySnapshot(CategoryKey key, Map<String, RegistryEntry> base, Set<String> removed,
            Map<String, RegistryEntry> updated, LinkedHashMap<String, RegistryEntry> appended, int size, long sequence) {
        this.key = key;
        this.base = base;
        this.removed = removed;
        this.updated = updated;
        this.appended = appended;
        this.size = size;
        this.sequence = sequence;
    }

    private static KeySnapshot whole(CategoryKey key, Map<String, RegistryEntry> entries, long sequence) {
        return new KeySnapshot(key, Collections.unmodifiableMap(entries), Set.of(), Map.of(), new LinkedHashMap<>(),
                entries.size(), sequence);
    }

    public static KeySnapshot of(CategoryKey key, List<RegistryEntry> entries, long sequence) {
        Map<String, RegistryEntry> map = new LinkedHashMap<>(entries.size() * 2);
        for (RegistryEntry e : entries) {
            map.put(e.field(), e);
        }
        return whole(key, map, sequence);
    }

    public static KeySnapshot empty(CategoryKey key) {
        return whole(key, Map.of(), 0);
    }

    public CategoryKey key() {
        return key;
    }

    public List<RegistryEntry> liveEntries() {
        List<RegistryEntry> l = list;
        if (l == null) {
            List<RegistryEntry> all = new ArrayList<>(size);
            if (removed.isEmpty() && updated.isEmpty()) {
                all.addAll(base.values());
            } else {
                for (RegistryEntry e : base.values()) {
                    if (!removed.contains(e.field())) {
                        RegistryEntry u = updated.get(e.field());
                        all.add(u == null ? e : u);
                    }
                }
            }
            all.addAll(appended.values());
            l = Collections.unmodifiableList(all);
            list = l;
        }
        return l;
    }

    public int size() {
        return size;
    }

    public boolean contains(String field) {
        return entry(field) != null;
    }

    public RegistryEntry entry(String field) {
        RegistryEntry a = appended.get(field);
        if (a != null) {
            return a;
        }
        if (removed.contains(field)) {
            return null;
        }
        RegistryEntry u = updated.get(field);
        return u != null ? u : base.get(field);
    }

    /** The sequence number of the last change this snapshot includes; 0 when unknown. */
    public long sequence() {
        return sequence;
    }

    /** This snapshot with one change applied. */
    public KeySnapshot with(ChangeRecord change) {
        String field = change.field();
        if (change.put()) {
            return put(RegistryEntry.of(field, RegistryEntry.parseExpiry(change.value())), change.sequence());
        }
        return remove(field, change.sequence());
    }

    /** This snapshot without one entry (at the same sequence). */
    public KeySnapshot without(String field) {
        return contains(field) ? remove(field, sequence) : this;
    }

    private KeySnapshot put(RegistryEntry entry, long newSequence) {
        String field = entry.field();
        boolean had = contains(field);
        Set<String> r = removed;
        Map<String, RegistryEntry> u = updated;
        LinkedHashMap<String, RegistryEntry> a = appended;
        if (appended.containsKey(field) || !base.containsKey(field) || removed.contains(field)) {
            a = new LinkedHashMap<>(appended);
            a.put(field, entry); // as a LinkedHashMap does: a field that had been removed comes back at the end
        } else {
            u = new HashMap<>(updated);
            u.put(field, entry);
        }
        return changed(r, u, a, size + (had ? 0 : 1), newSequence);
    }

    private KeySnapshot remove(String field, long newSequence) {
        if (!contains(field)) {
            return atSequence(newSequence);
        }
        Set<String> r = removed;
        Map<String, RegistryEntry> u = updated;
        LinkedHashMap<String, RegistryEntry> a = appended;
        if (appended.containsKey(field)) {
            a = new LinkedHashMap<>(appended);
            a.remove(field);
        } else {
            r = new HashSet<>(removed);
            r.add(field);
            if (updated.containsKey(field)) {
                u = new HashMap<>(updated);
                u.remove(field);
            }
        }
        return changed(r, u, a, size - 1, newSequence);
    }

    /** A snapshot over the same base, or, once the changes kept beside it grow, laid out whole again. */
    private KeySnapshot changed(Set<String> r, Map<String, RegistryEntry> u, LinkedHashMap<String, RegistryEntry> a,
            int newSize, long newSequence) {
        KeySnapshot next = new KeySnapshot(key, base, r, u, a, newSize, newSequence);
        int kept = r.size() + u.size() + a.size();
        if (kept > Math.max(16, (int) Math.sqrt(base.size()))) {
            return whole(key, next.asMap(), newSequence);
        }
        return next;
    }

    /** The entries by field, in order (a new map). */
    private Map<String, RegistryEntry> asMap() {
        List<RegistryEntry> all = liveEntries();
        Map<String, RegistryEntry> map = new LinkedHashMap<>(all.size() * 2);
        for (RegistryEntry e : all) {
            map.put(e.field(), e);
        }
        return map;
    }

    /**
     * The fields present in only one of this snapshot and {@code earlier}, when this one was derived from
     * {@code earlier} by changes (or the other way round) without being laid out whole since; null otherwise (the
     * caller compares whole). Costs in proportion to those changes.
     */
    public Set<String> fieldsAddedOrRemovedSince(KeySnapshot earlier) {
        if (earlier == null || earlier.base != base) {
            return null;
        }
        Set<String> candidates = new HashSet<>();
        candidates.addAll(removed);
        candidates.addAll(appended.keySet());
        candidates.addAll(earlier.removed);
        candidates.addAll(earlier.appended.keySet());
        Set<String> differ = new HashSet<>();
        for (String f : candidates) {
            if (contains(f) != earlier.contains(f)) {
                differ.add(f);
            }
        }
        return differ;
    }

    /** The same entries at another sequence number. */
    public KeySnapshot atSequence(long newSequence) {
        return newSequence == sequence ? this : new KeySnapshot(key, base, removed, updated, appended, size, newSequence);
    }

    /** This snapshot plus the entries of an earlier one that it lacks: nothing is taken away. */
    public KeySnapshot keepingEntriesOf(KeySnapshot earlier) {
        Map<String, RegistryEntry> merged = null;
        for (RegistryEntry e : earlier.liveEntries()) {
            if (!contains(e.field())) {
                merged = merged == null ? asMap() : merged;
                merged.put(e.field(), e);
            }
        }
        return merged == null ? this : whole(key, merged, sequence);
    }

    /**
     * This snapshot plus the dynamic entries of an earlier one that it lacks and that had not expired by
     * {@code now}, each kept until {@code now + holdMillis} at the latest (an entry already kept keeps its
     * earlier deadline); this same snapshot if there are none.
     */
    public KeySnapshot keepingVanishedDynamicEntriesOf(KeySnapshot earlier, long now, long holdMillis) {
        Map<String, RegistryEntry> merged = null;
        for (RegistryEntry e : earlier.liveEntries()) {
            if (e.dynamic() && e.isLiveAt(now) && !contains(e.field())) {
                merged = merged == null ? asMap() : merged;
                merged.put(e.field(), e.expiringBy(now + holdMillis));
            }
        }
        return merged == null ? this : whole(key, merged, sequence);
    }

    /** The earliest expiry among this snapshot's dynamic entries that {@code other} lacks. */
    public long earliestExpiryOfEntriesNotIn(KeySnapshot other) {
        long earliest = Long.MAX_VALUE;
        for (RegistryEntry e : liveEntries()) {
            if (e.dynamic() && !other.contains(e.field())) {
                earliest = Math.min(earliest, e.expiryMillis());
            }
        }
        return earliest;
    }

    /** The fields of this snapshot that {@code other} lacks. */
    public List<String> fieldsNotIn(KeySnapshot other) {
        List<String> missing = new ArrayList<>();
        for (RegistryEntry e : liveEntries()) {
            if (other == null || !other.contains(e.field())) {
                missing.add(e.field());
            }
        }
        return missing;
    }

    /** The same fields (expiries aside), in any order: Redis may return a hash's fields in another order each time. */
    public boolean sameEntriesAs(KeySnapshot other) {
        if (other == null || other.size != size) {
            return false;
        }
        Set<String> differ = fieldsAddedOrRemovedSince(other);
        if (differ != null) {
            return differ.isEmpty();
        }
        for (RegistryEntry e : other.liveEntries()) {
            if (!contains(e.field())) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return key + "@" + sequence + liveEntries();
    }
}
