package io.github.dubboredis.internal.watch;

import java.util.ArrayList;
import java.util.List;

import io.github.dubboredis.internal.model.ChangeRecord;

/**
 * Decides, for one watched key, what each message means: a change record to apply at once, a duplicate, a
 * gap (some record was missed, or the sequence restarted because Redis lost the key), or a plain
 * announcement that no record explains (written by an older registry, or by a renewal that found the entry
 * gone). Pure logic, confined to the scheduler thread.
 *
 * <p>A writing script publishes its records, the last one marked, and then exactly one announcement on the
 * key's own channel; Redis delivers a script's messages to a subscriber back to back. So after a marked
 * record the next message for the key must be its announcement: anything else is a doubt, and doubts read
 * the key whole.
 */
final class ChangeTracker {

    /** What to do with a message. */
    enum Action {
        /** Apply the record to the snapshot. */
        APPLY,
        /** Already applied (or older than the snapshot): nothing to do. */
        IGNORE,
        /** A read is in flight: the record is kept and replayed over its result. */
        BUFFERED,
        /** Read the key whole. */
        READ
    }

    /** The sequence number of the last change the snapshot includes; meaningful once {@link #known}. */
    private long applied;
    private boolean known;
    /** A marked record arrived; its announcement is the next message expected for this key. */
    private boolean announcementDue;
    private boolean reading;
    private final List<ChangeRecord> buffered = new ArrayList<>();

    Action onRecord(ChangeRecord record) {
        boolean doubt = announcementDue; // the announcement of the previous script never came
        announcementDue = record.announced();
        if (doubt) {
            known = false;
        }
        if (reading) {
            buffered.add(record);
            return Action.BUFFERED;
        }
        if (!known) {
            return Action.READ;
        }
        if (applied == 0 && !record.newSequence()) {
            // The last read found no sequence: this record is of one that ended before that read (the hash was
            // emptied), so the read includes it.
            return Action.IGNORE;
        }
        if (record.newSequence()) {
            // The hash had no sequence when this change was made: it was new or written by older registries only,
            // or emptied (its sequence goes with its last entry). Every change since is in this sequence.
            applied = record.sequence();
            return Action.APPLY;
        }
        if (record.sequence() <= applied) {
            return Action.IGNORE;
        }
        if (record.sequence() == applied + 1) {
            applied = record.sequence();
            return Action.APPLY;
        }
        known = false;
        return Action.READ;
    }

    /**
     * A message on the key's own channel: true if it is the announcement of the records just applied, false
     * if nothing explains it (the caller reads the key).
     */
    boolean onAnnouncement() {
        if (announcementDue) {
            announcementDue = false;
            return true;
        }
        return false;
    }

    /** A read of the whole key was sent: records from now on are kept for it. */
    void readSent() {
        reading = true;
        buffered.clear();
    }

    /**
     * What to do with the records kept while a read was in flight.
     *
     * @param toApply the records the read did not include, in order, to apply over it; null if they show a gap
     *     (read again)
     * @param removedBefore fields whose removal the read already includes: announced removals, never to be held
     */
    record Replay(List<ChangeRecord> toApply, java.util.Set<String> removedBefore) {
    }

    /** The read came back with the key at {@code baseSequence} (0: the key has no sequence). */
    Replay readCompleted(long baseSequence) {
        reading = false;
        List<ChangeRecord> replay = new ArrayList<>();
        java.util.Set<String> removedBefore = new java.util.HashSet<>();
        long at = baseSequence;
        boolean gap = false;
        for (ChangeRecord r : buffered) {
            if (r.newSequence()) {
                // A sequence started after the read saw the hash without one (or saw the old one, since ended).
                replay.add(r);
                at = r.sequence();
                continue;
            }
            // With no sequence at the read, a record of the old one came before it ended: the read includes it.
            if (at == 0 || r.sequence() <= at) {
                if (!r.put()) {
                    removedBefore.add(r.field());
                }
                continue;
            }
            if (r.sequence() != at + 1) {
                gap = true;
                break;
            }
            replay.add(r);
            at = r.sequence();
        }
        buffered.clear();
        if (gap) {
            known = false;
            return new Replay(null, removedBefore);
        }
        applied = at;
        known = true;
        return new Replay(replay, removedBefore);
    }

    /** The read failed: the next record reads again. */
    void readFailed() {
        reading = false;
        buffered.clear();
        known = false;
    }

    /** Subscriptions were restored after a gap in which messages may have been lost. */
    void reset() {
        known = false;
        announcementDue = false;
    }

    /** The sequence the snapshot is at, when known; -1 otherwise. */
    long appliedSequence() {
        return known ? applied : -1;
    }
}
