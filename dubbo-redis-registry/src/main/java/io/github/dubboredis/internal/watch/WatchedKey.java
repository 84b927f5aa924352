package io.github.dubboredis.internal.watch;

import java.util.LinkedHashSet;
import java.util.Set;

import io.github.dubboredis.internal.model.CategoryKey;
import io.github.dubboredis.internal.model.KeySnapshot;

/** One watched key: what is known of it, who watches it, and how it is kept current. Confined to the scheduler thread. */
final class WatchedKey {

    final CategoryKey key;
    final Set<Watch> watches = new LinkedHashSet<>();
    final ChangeTracker changes = new ChangeTracker();
    final ReadScheduler reads;
    /** The key's own channel (and its change channel) are subscribed for this key's exact watches. */
    boolean subscribed;
    /** The change channel could not be subscribed (an ACL without {@code &dubbo-redis:*}): read on every announcement. */
    boolean changeChannelRefused;
    /** Null until the first read. */
    KeySnapshot snapshot;
    /**
     * Entries the snapshot keeps though the last read did not find them (they vanished without an announcement
     * this registry had heard yet): a removal record that arrives for one of them later releases it at once.
     */
    final Set<String> heldFields = new java.util.HashSet<>();
    /** The hash's size (HLEN) at the snapshot's sequence, for anti-entropy's cheap check; -1 when unknown. */
    long rawSize = -1;
    /** An {@code unregister} was announced since the last read was sent: vanished entries are gone, not held. */
    boolean removalAnnounced;
    /** The last read could not reach Redis: read again as soon as commands do. */
    boolean readFailed;
    /** Over {@code key.max-entries}: not delivered until it shrinks. */
    boolean tooLarge;
    boolean expiryCheckScheduled;
    /** A key an admin heard of by a message and reads for the first time (counted against the admin's bound). */
    boolean newToAdmin;
    /** When the first message not yet passed on arrived (for the notification lag metric); 0 if none. */
    long firstEventNanos;

    WatchedKey(CategoryKey key, java.util.function.Function<WatchedKey, ReadScheduler> reads) {
        this.key = key;
        this.reads = reads.apply(this);
    }

    /** Whether change records are used for this key (else every announcement reads it whole). */
    boolean usesChangeRecords(boolean storeAllows) {
        return storeAllows && subscribed && !changeChannelRefused && key.hasChangeRecords();
    }
}
