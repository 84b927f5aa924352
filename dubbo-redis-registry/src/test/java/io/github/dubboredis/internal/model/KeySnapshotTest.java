package io.github.dubboredis.internal.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A snapshot derived by changes keeps them beside a shared base instead of copying every entry; these tests hold
 * it to what a plain {@link LinkedHashMap} would hold after the same changes (order included, since a subscriber
 * is told the entries in the order they were learnt), and check that the fields reported as added or removed
 * between two snapshots are exactly the ones that differ.
 */
class KeySnapshotTest {

    private static final CategoryKey KEY = CategoryKey.under("/dubbo/", "com.foo.BarService", "providers");

    private static String field(int i) {
        return "dubbo://127.0.0.1:" + (20000 + i) + "/com.foo.BarService?dynamic=true";
    }

    private static ChangeRecord put(long seq, int i, long expiry) {
        return new ChangeRecord(seq, true, false, ChangeRecord.Op.CREATED, Long.toString(expiry), field(i));
    }

    private static ChangeRecord remove(long seq, int i) {
        return new ChangeRecord(seq, true, false, ChangeRecord.Op.REMOVED, "0", field(i));
    }

    private static KeySnapshot snapshotOf(int n) {
        List<RegistryEntry> entries = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            entries.add(RegistryEntry.of(field(i), 1000 + i));
        }
        return KeySnapshot.of(KEY, entries, 1);
    }

    private static Map<String, Long> modelOf(int n) {
        Map<String, Long> model = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            model.put(field(i), 1000L + i);
        }
        return model;
    }

    /** The snapshot's entries as field to expiry, in its order. */
    private static Map<String, Long> contentOf(KeySnapshot s) {
        Map<String, Long> m = new LinkedHashMap<>();
        for (RegistryEntry e : s.liveEntries()) {
            m.put(e.field(), e.expiryMillis());
        }
        return m;
    }

    private static void assertSame(KeySnapshot s, Map<String, Long> model) {
        assertThat(new ArrayList<>(contentOf(s).entrySet())).containsExactlyElementsOf(model.entrySet());
        assertThat(s.size()).isEqualTo(model.size());
        for (Map.Entry<String, Long> e : model.entrySet()) {
            assertThat(s.contains(e.getKey())).isTrue();
            assertThat(s.entry(e.getKey()).expiryMillis()).isEqualTo(e.getValue());
        }
    }

    private static Set<String> symmetricDifference(Set<String> a, Set<String> b) {
        Set<String> d = new HashSet<>(a);
        d.addAll(b);
        Set<String> both = new HashSet<>(a);
        both.retainAll(b);
        d.removeAll(both);
        return d;
    }

    @Test
    void updateKeepsPlaceRemovalAndReAddMovesToTheEnd() {
        KeySnapshot s = snapshotOf(4);
        Map<String, Long> model = modelOf(4);

        s = s.with(put(2, 1, 5000)); // a new expiry for an entry of the base: same place
        model.put(field(1), 5000L);
        assertSame(s, model);

        s = s.with(remove(3, 2));
        model.remove(field(2));
        assertSame(s, model);

        s = s.with(put(4, 2, 6000)); // removed from the base and added again: at the end
        model.put(field(2), 6000L);
        assertSame(s, model);

        s = s.with(put(5, 9, 7000)); // new
        model.put(field(9), 7000L);
        s = s.with(put(6, 2, 8000)); // appended, updated: keeps its place among the appended
        model.put(field(2), 8000L);
        assertSame(s, model);

        s = s.with(remove(7, 2)).with(remove(8, 1));
        model.remove(field(2));
        model.remove(field(1));
        assertSame(s, model);
        assertThat(s.sequence()).isEqualTo(8);
    }

    @Test
    void removingAnAbsentFieldOnlyMovesTheSequence() {
        KeySnapshot s = snapshotOf(3);
        KeySnapshot after = s.with(remove(2, 42));
        assertSame(after, modelOf(3));
        assertThat(after.sequence()).isEqualTo(2);
        assertThat(after.fieldsAddedOrRemovedSince(s)).isEmpty();
        assertThat(s.without(field(42))).isSameAs(s);
    }

    @Test
    void fieldsAddedOrRemovedSinceAreExactlyTheFieldsThatDiffer() {
        KeySnapshot first = snapshotOf(400); // a relayout after more than 20 changes kept beside the base
        KeySnapshot s = first;
        s = s.with(put(2, 400, 1)); // added
        s = s.with(remove(3, 5)); // removed
        s = s.with(remove(4, 6)).with(put(5, 6, 2)); // removed and back: no difference
        s = s.with(put(6, 7, 3)); // new expiry only: no difference
        s = s.with(put(7, 401, 1)).with(remove(8, 401)); // came and went: no difference

        assertThat(s.fieldsAddedOrRemovedSince(first)).containsExactlyInAnyOrder(field(400), field(5));
        assertThat(first.fieldsAddedOrRemovedSince(s)).containsExactlyInAnyOrder(field(400), field(5));
        assertThat(s.fieldsAddedOrRemovedSince(s)).isEmpty();
        assertThat(s.sameEntriesAs(first)).isFalse();
        assertThat(s.with(put(9, 5, 1)).with(remove(10, 400)).sameEntriesAs(first)).isTrue();
    }

    @Test
    void snapshotsWithoutACommonBaseAreComparedWhole() {
        assertThat(snapshotOf(3).fieldsAddedOrRemovedSince(snapshotOf(3))).isNull();
        assertThat(snapshotOf(3).fieldsAddedOrRemovedSince(null)).isNull();
        assertThat(snapshotOf(3).sameEntriesAs(snapshotOf(3))).isTrue();
    }

    @Test
    void changesKeptBesideTheBaseAreLaidOutWholeOnceTheyPassTheThreshold() {
        // The threshold is max(16, sqrt(base size)): 16 for 100 entries, so the 17th change kept relays out.
        KeySnapshot first = snapshotOf(100);
        Map<String, Long> model = modelOf(100);
        KeySnapshot s = first;
        for (int i = 0; i < 16; i++) {
            s = s.with(put(2 + i, 100 + i, 1));
            model.put(field(100 + i), 1L);
        }
        assertThat(s.fieldsAddedOrRemovedSince(first)).hasSize(16); // still over the same base
        KeySnapshot relaid = s.with(remove(18, 0));
        model.remove(field(0));
        assertThat(relaid.fieldsAddedOrRemovedSince(first)).isNull(); // a base of its own now
        assertThat(relaid.fieldsAddedOrRemovedSince(s)).isNull();
        assertSame(relaid, model);
        // and changes start being kept beside the new base
        KeySnapshot next = relaid.with(put(19, 500, 1));
        assertThat(next.fieldsAddedOrRemovedSince(relaid)).containsExactly(field(500));
    }

    @Test
    void manyRandomChangesMatchAPlainMap() {
        Random random = new Random(14); // fixed seed: the same sequence every run
        for (int size : new int[] {0, 5, 300, 3000}) {
            KeySnapshot s = snapshotOf(size);
            Map<String, Long> model = modelOf(size);
            long seq = 1;
            for (int step = 0; step < 2000; step++) {
                KeySnapshot before = s;
                Set<String> fieldsBefore = new HashSet<>(model.keySet());
                int i = random.nextInt(size + 50);
                if (random.nextBoolean()) {
                    long expiry = random.nextInt(1_000_000);
                    s = s.with(put(++seq, i, expiry));
                    model.put(field(i), expiry);
                } else {
                    s = s.with(remove(++seq, i));
                    model.remove(field(i));
                }
                if (step % 97 == 0) {
                    assertSame(s, model);
                }
                Set<String> differ = s.fieldsAddedOrRemovedSince(before);
                if (differ != null) {
                    assertThat(differ).isEqualTo(symmetricDifference(fieldsBefore, model.keySet()));
                }
            }
            assertSame(s, model);
            assertThat(s.sequence()).isEqualTo(seq);
        }
    }
}
