package io.github.dubboredis.registry;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import io.github.dubboredis.redis.RedisAccessException;
import io.github.dubboredis.redis.RedisStore;
import io.github.dubboredis.redis.StoreListener;

/**
 * Keeps each watched category key's contents current: subscribes to its channel (one exact channel per
 * key, all on the store's single pub/sub connection; a pattern for an admin), re-reads it when a change
 * is announced, and hands the result to the watches on it.
 *
 * <p>All state here is confined to the store's executor thread, so no locks. The first announcement for
 * a key is read at once: a lone change costs one round trip. Announcements that arrive while that read
 * is queued are absorbed by it; those that arrive while it is in flight cause one more read, sent once
 * the key has been quiet for {@value #QUIET_MILLIS} ms (but no later than {@value #MAX_DELAY_MILLIS} ms
 * after the first of them), so that the rest of a burst folds into it. A burst of changes to one key
 * that arrives within a read's round trip thus costs two reads; one that trickles in (a busy machine
 * draining it slowly) costs more, up to a read per announcement, but never more than one read of a key
 * is in flight.
 */
final class Watcher implements StoreListener {

    /** A follow-up read waits until the key has had no announcement for this long... */
    static final long QUIET_MILLIS = 5;
    /** ...but never longer than this after the announcement that made it necessary. */
    static final long MAX_DELAY_MILLIS = 50;

    private final RedisStore store;
    private final ScheduledExecutorService executor;
    private final RegistryRoot root;
    private final RedisClock clock;
    private final RegistryObserver observer;
    private final OnceLog reported;
    private final DataEpoch epoch;
    private final Availability availability;
    private final Runnable onDataLoss;
    private final Map<String, KeyState> keys = new HashMap<>();
    private final Set<Watch> everythingWatches = new LinkedHashSet<>();
    /** Numbers reads as they are sent; taken on Lettuce's and Dubbo's threads as well as this one. */
    private final AtomicLong readSequence = new AtomicLong();
    /** How long an entry that vanished without an {@code unregister} is kept at most (see {@link #apply}). */
    private final long unannouncedRemovalHoldMillis;
    /** An admin's last scan for new keys failed for want of Redis (see {@link #onCommandsRestored}). */
    private boolean scanFailed;
    /** Until this time (Redis clock) no entry is taken away from a watch: Redis is being repopulated. */
    private long recoveringUntil;

    Watcher(RedisStore store, RegistryRoot root, RedisClock clock, RegistryObserver observer, OnceLog reported,
            DataEpoch epoch, Availability availability, Runnable onDataLoss, long unannouncedRemovalHoldMillis) {
        this.store = store;
        this.executor = store.executor();
        this.root = root;
        this.clock = clock;
        this.observer = observer;
        this.reported = reported;
        this.epoch = epoch;
        this.availability = availability;
        this.onDataLoss = onDataLoss;
        this.unannouncedRemovalHoldMillis = unannouncedRemovalHoldMillis;
    }

    /** A watched key: its last contents, the watches on it and its read state. */
    private static final class KeyState {
        final CategoryKey key;
        final Set<Watch> watches = new LinkedHashSet<>();
        boolean holdsChannel;
        /** Watches whose first read of this key is under way: the state must outlive any stop meanwhile. */
        int pendingStarts;
        KeySnapshot last;
        boolean readQueued;
        boolean readInFlight;
        boolean changedDuringRead;
        long firstEventNanos;
        long lastEventNanos;
        long followUpSinceNanos;
        /** An {@code unregister} was announced for this key since its last read was sent. */
        boolean removalAnnounced;
        boolean expiryCheckScheduled;
        /** The last read could not reach Redis: read again as soon as commands do. */
        boolean readFailed;

        KeyState(CategoryKey key) {
            this.key = key;
        }
    }

    // ---- starting and stopping watches -----------------------------------------------------------

    /**
     * Subscribes, reads every key of the watch and delivers them to its listener in one call; from then
     * on the watch receives each change. Completes after that first delivery. If Redis cannot be read
     * now, the watch stays registered and is served as soon as Redis is back; the future fails.
     */
    CompletableFuture<Void> start(Watch watch) {
        return onExecutor(() -> watch.everything() ? startEverything(watch) : startKeys(watch));
    }

    private CompletableFuture<Void> startKeys(Watch watch) {
        List<String> newChannels = new ArrayList<>();
        for (CategoryKey k : watch.keys()) {
            KeyState state = keys.computeIfAbsent(k.redisKey(), x -> new KeyState(k));
            state.pendingStarts++;
            if (!state.holdsChannel) {
                state.holdsChannel = true;
                newChannels.add(k.redisKey());
            }
        }
        // Subscribe first, read second: a change between the two is then seen by the read or announced.
        return store.subscribe(newChannels)
                .thenCompose(ignored -> readAll(watch.keys()))
                .handleAsync((snapshots, failure) -> {
                    List<KeySnapshot> delivered = new ArrayList<>();
                    for (CategoryKey k : watch.keys()) {
                        KeyState state = keys.get(k.redisKey());
                        state.pendingStarts--;
                        KeySnapshot fresh = snapshots == null ? null : snapshots.get(k.redisKey());
                        if (fresh != null) {
                            // The watches already on the key hear of a change this read found; the new one
                            // gets everything in its first delivery below.
                            apply(state, fresh, true, false, watch);
                        }
                        state.watches.add(watch);
                        if (state.last != null) {
                            delivered.add(state.last);
                        }
                    }
                    if (failure != null) {
                        throw new CompletionException(failure);
                    }
                    deliver(watch, delivered);
                    return null;
                }, executor);
    }

    private CompletableFuture<Void> startEverything(Watch watch) {
        boolean first = everythingWatches.isEmpty();
        everythingWatches.add(watch);
        CompletableFuture<Void> subscribed = first ? store.subscribePattern(root.pattern()) : CompletableFuture.completedFuture(null);
        return subscribed
                .thenCompose(ignored -> store.scanKeys(root.pattern()))
                .thenCompose(found -> readAll(categoryKeys(found)))
                .handleAsync((snapshots, failure) -> {
                    if (failure != null) {
                        throw new CompletionException(failure);
                    }
                    List<KeySnapshot> delivered = new ArrayList<>();
                    for (KeySnapshot fresh : snapshots.values()) {
                        KeyState state = keys.computeIfAbsent(fresh.key().redisKey(), x -> new KeyState(fresh.key()));
                        apply(state, fresh, true, false, watch);
                        delivered.add(state.last);
                    }
                    deliver(watch, delivered);
                    return null;
                }, executor);
    }

    CompletableFuture<Void> stop(Watch watch) {
        return onExecutor(() -> {
            List<String> dropChannels = new ArrayList<>();
            if (watch.everything()) {
                everythingWatches.remove(watch);
            }
            keys.values().removeIf(state -> {
                state.watches.remove(watch);
                if (!state.watches.isEmpty() || state.pendingStarts > 0 || (everythingWatches.size() > 0 && !state.holdsChannel)) {
                    return false;
                }
                if (state.watches.isEmpty() && !everythingWatches.isEmpty()) {
                    // An admin still watches everything; keep its state but drop the exact channel.
                    if (state.holdsChannel) {
                        state.holdsChannel = false;
                        dropChannels.add(state.key.redisKey());
                    }
                    return false;
                }
                if (state.holdsChannel) {
                    dropChannels.add(state.key.redisKey());
                }
                return true;
            });
            CompletableFuture<Void> channels = store.unsubscribe(dropChannels);
            if (watch.everything() && everythingWatches.isEmpty()) {
                return channels.thenCompose(ignored -> store.unsubscribePattern(root.pattern()));
            }
            return channels;
        });
    }

    /** Reads keys now (for lookups); no subscription, no delivery. */
    CompletableFuture<Map<String, KeySnapshot>> readNow(List<CategoryKey> toRead) {
        return readAll(toRead);
    }

    // ---- events ------------------------------------------------------------------------------

    @Override
    public void onMessage(String channel, String message) {
        KeyState state = keys.get(channel);
        if (state != null && state.holdsChannel) {
            noteAnnouncement(state, message);
            requestRead(state);
        }
    }

    private static void noteAnnouncement(KeyState state, String message) {
        if (Registrar.UNREGISTER.equals(message)) {
            state.removalAnnounced = true;
        }
    }

    @Override
    public void onPatternMessage(String pattern, String channel, String message) {
        if (everythingWatches.isEmpty() || !pattern.equals(root.pattern())) {
            return;
        }
        KeyState state = keys.get(channel);
        if (state == null) {
            Optional<CategoryKey> key = parseKey(channel);
            if (key.isEmpty()) {
                return;
            }
            state = new KeyState(key.get());
            keys.put(channel, state);
        }
        noteAnnouncement(state, message);
        requestRead(state);
    }

    @Override
    public void onSubscriptionsRestored(String node) {
        resync(node);
    }

    /**
     * Commands reach Redis again. The two links of a node reconnect independently: when the pub/sub one
     * came back first, the re-reads it asked for (or that its messages asked for) failed on the command
     * link; they are sent again now rather than left to the next anti-entropy pass.
     */
    void onCommandsRestored() {
        for (KeyState state : keys.values()) {
            if (state.readFailed) {
                requestRead(state);
            }
        }
        if (scanFailed && !everythingWatches.isEmpty()) {
            lookForNewKeys();
        }
    }

    /**
     * Reads every watched key again (and, for an admin, looks for keys that appeared meanwhile):
     * after a gap in pub/sub, and periodically as anti-entropy.
     */
    void resync(String reason) {
        for (KeyState state : keys.values()) {
            requestRead(state);
        }
        int count = keys.size();
        if (!everythingWatches.isEmpty()) {
            lookForNewKeys();
        }
        observer.resynced(reason, count);
    }

    /** For an admin: scans the root for keys that appeared without an announcement it heard, and reads them. */
    private void lookForNewKeys() {
        store.scanKeys(root.pattern()).whenCompleteAsync((found, e) -> {
            // Failed for want of Redis: tried again when commands return (as reads are), else at the next resync.
            scanFailed = e != null && RedisAccessException.isUnavailability(e);
            if (e != null) {
                return;
            }
            for (CategoryKey k : categoryKeys(found)) {
                if (!keys.containsKey(k.redisKey())) {
                    KeyState state = new KeyState(k);
                    keys.put(k.redisKey(), state);
                    requestRead(state);
                }
            }
        }, executor);
    }

    // ---- reading -----------------------------------------------------------------------------

    private void requestRead(KeyState state) {
        long now = System.nanoTime();
        state.lastEventNanos = now;
        if (state.firstEventNanos == 0) {
            state.firstEventNanos = now;
        }
        if (state.readQueued) {
            return; // the queued read has not been sent yet: it will see this change
        }
        if (state.readInFlight) {
            if (!state.changedDuringRead) {
                state.changedDuringRead = true;
                state.followUpSinceNanos = now;
            }
            return;
        }
        state.readQueued = true;
        // Queued behind the messages already waiting on this thread, so a burst folds into one read.
        executor.execute(() -> sendRead(state));
    }

    private void sendRead(KeyState state) {
        state.readQueued = false;
        if (keys.get(state.key.redisKey()) != state) {
            return; // no longer watched
        }
        state.readInFlight = true;
        boolean removalAnnounced = state.removalAnnounced;
        state.removalAnnounced = false;
        long sequence = readSequence.incrementAndGet();
        // The marker rides along (same round trip): a read of a Redis that lost its data must not
        // take providers away before they had a chance to register again.
        CompletableFuture<String> marker = store.readValue(epoch.key());
        store.readHash(state.key.redisKey()).whenCompleteAsync((hash, failure) -> {
            state.readInFlight = false;
            checkMarker(marker);
            state.readFailed = failure != null && RedisAccessException.isUnavailability(failure);
            if (failure == null) {
                availability.succeeded();
                apply(state, snapshot(state.key, hash, sequence), true, removalAnnounced, null);
            } else {
                reportReadFailure(state.key.redisKey(), failure);
            }
            if (state.changedDuringRead) {
                state.changedDuringRead = false;
                state.readQueued = true;
                sendFollowUpWhenQuiet(state);
            }
        }, executor);
    }

    private void sendFollowUpWhenQuiet(KeyState state) {
        long now = System.nanoTime();
        long quietFor = now - state.lastEventNanos;
        long waited = now - state.followUpSinceNanos;
        long quiet = TimeUnit.MILLISECONDS.toNanos(QUIET_MILLIS);
        if (quietFor >= quiet || waited >= TimeUnit.MILLISECONDS.toNanos(MAX_DELAY_MILLIS)) {
            sendRead(state);
        } else {
            executor.schedule(() -> sendFollowUpWhenQuiet(state), quiet - quietFor, TimeUnit.NANOSECONDS);
        }
    }

    /** Reads keys back to back (one round trip), skipping those that cannot be read. */
    private CompletableFuture<Map<String, KeySnapshot>> readAll(List<CategoryKey> toRead) {
        Map<String, CompletableFuture<Map<String, String>>> reads = new LinkedHashMap<>();
        Map<String, Long> sequences = new HashMap<>();
        CompletableFuture<String> marker = store.readValue(epoch.key());
        for (CategoryKey k : toRead) {
            sequences.put(k.redisKey(), readSequence.incrementAndGet());
            reads.put(k.redisKey(), store.readHash(k.redisKey()));
        }
        Map<String, CategoryKey> byName = new HashMap<>();
        for (CategoryKey k : toRead) {
            byName.put(k.redisKey(), k);
        }
        return CompletableFuture.allOf(reads.values().toArray(CompletableFuture[]::new)).handleAsync((ignored, anyFailure) -> {
            checkMarker(marker);
            Map<String, KeySnapshot> result = new LinkedHashMap<>();
            Throwable connectionFailure = null;
            for (Map.Entry<String, CompletableFuture<Map<String, String>>> r : reads.entrySet()) {
                CompletableFuture<Map<String, String>> f = r.getValue();
                if (!f.isCompletedExceptionally()) {
                    result.put(r.getKey(), snapshot(byName.get(r.getKey()), f.join(), sequences.get(r.getKey())));
                    continue;
                }
                Throwable e = f.handle((v, t) -> t).join();
                if (isWrongType(e)) {
                    reportReadFailure(r.getKey(), e);
                } else if (connectionFailure == null) {
                    connectionFailure = e;
                }
            }
            if (connectionFailure != null) {
                if (RedisAccessException.isUnavailability(connectionFailure)) {
                    availability.failed();
                }
                throw new CompletionException(connectionFailure);
            }
            availability.succeeded();
            return result;
        }, executor);
    }

    /** Compares the data marker read along with a key; on data loss the engine starts recovering. */
    private void checkMarker(CompletableFuture<String> marker) {
        if (marker.isDone() && !marker.isCompletedExceptionally() && epoch.lostSince(marker.join())) {
            onDataLoss.run();
        }
    }

    /**
     * Redis lost its data: for {@code millis}, watches keep every entry they had (new ones are added,
     * none is taken away) while the owners register again; then everything is read afresh.
     */
    void beginRecovery(long millis) {
        boolean already = clock.now() < recoveringUntil;
        recoveringUntil = clock.now() + millis;
        if (!already) {
            executor.schedule(this::endRecoveryIfDue, millis, TimeUnit.MILLISECONDS);
        }
    }

    private void endRecoveryIfDue() {
        long left = recoveringUntil - clock.now();
        if (left > 0) {
            executor.schedule(this::endRecoveryIfDue, left, TimeUnit.MILLISECONDS);
            return;
        }
        recoveringUntil = 0;
        resync("recovery over");
    }

    boolean recovering() {
        return recoveringUntil != 0 && clock.now() < recoveringUntil;
    }

    /** Parses a hash into its live entries; unreadable entries are skipped and reported once. */
    private KeySnapshot snapshot(CategoryKey key, Map<String, String> hash, long sequence) {
        long now = clock.now();
        List<RegistryEntry> live = new ArrayList<>(hash.size());
        for (Map.Entry<String, String> e : hash.entrySet()) {
            RegistryEntry entry;
            try {
                entry = RegistryEntry.parse(e.getKey(), e.getValue());
            } catch (RegistryEntry.MalformedEntryException bad) {
                reportMalformedEntry(key.redisKey(), e.getKey(), bad.getMessage());
                continue;
            }
            // Right after Redis was unreachable or stalled, an expiry proves nothing: its owner could not renew.
            if (entry.isLiveAt(now) || !availability.expiriesTrusted()) {
                live.add(entry);
            }
        }
        return new KeySnapshot(key, live, sequence);
    }

    /**
     * Takes a newer snapshot and, if its entries differ from the last, delivers it (when asked to).
     *
     * <p>Entries are taken away only when that is announced: every removal, by an owner or a reaper, is
     * followed by an {@code unregister} message. Dynamic entries that vanish unannounced (Redis lost data:
     * a restart, a flush, a failover to a replica that lagged, in one slot of a cluster or everywhere; or
     * the announcement was missed while this subscriber was cut off) are kept for a settle period at most
     * (never past their last known expiry), the time their owners need to write them again if they live;
     * after a detected data loss, for the whole recovery. Static entries are never kept: nobody renews them.
     *
     * @param except a watch not to tell (one being started, which gets the snapshot in its first delivery)
     */
    private void apply(KeyState state, KeySnapshot read, boolean deliverChange, boolean removalAnnounced, Watch except) {
        if (state.last != null && state.last.readSequence() > read.readSequence()) {
            return; // an older read completing late
        }
        KeySnapshot fresh = read;
        if (state.last != null && recovering()) {
            fresh = read.keepingEntriesOf(state.last);
            // An announced removal is honoured by the first read after the recovery.
            state.removalAnnounced |= removalAnnounced;
        } else if (state.last != null && !removalAnnounced) {
            fresh = read.keepingVanishedDynamicEntriesOf(state.last, clock.now(), unannouncedRemovalHoldMillis);
            if (fresh != read) {
                scheduleExpiryCheck(state, fresh.earliestExpiryOfEntriesNotIn(read));
            }
        }
        boolean changed = !fresh.sameEntriesAs(state.last);
        state.last = fresh;
        if (state.firstEventNanos != 0) {
            observer.notified(state.key.redisKey(), (System.nanoTime() - state.firstEventNanos) / 1_000_000);
            state.firstEventNanos = 0;
        }
        if (!deliverChange || !changed) {
            return;
        }
        List<KeySnapshot> one = List.of(fresh);
        for (Watch w : state.watches) {
            if (w != except) {
                deliver(w, one);
            }
        }
        for (Watch w : everythingWatches) {
            if (w != except && !state.watches.contains(w)) {
                deliver(w, one);
            }
        }
    }

    /** Reads the key again once the entries kept beyond their disappearance are due to expire. */
    private void scheduleExpiryCheck(KeyState state, long expiry) {
        if (state.expiryCheckScheduled || expiry == Long.MAX_VALUE) {
            return;
        }
        state.expiryCheckScheduled = true;
        long delay = Math.max(0, expiry - clock.now()) + 1;
        executor.schedule(() -> {
            state.expiryCheckScheduled = false;
            if (keys.get(state.key.redisKey()) == state) {
                requestRead(state);
            }
        }, delay, TimeUnit.MILLISECONDS);
    }

    private void deliver(Watch watch, List<KeySnapshot> snapshots) {
        try {
            watch.listener().onSnapshots(snapshots);
        } catch (RuntimeException e) {
            observer.listenerFailed(snapshots.size() + " key(s) starting with " + snapshots.get(0).key(), e);
        }
    }

    private List<CategoryKey> categoryKeys(List<String> redisKeys) {
        List<CategoryKey> result = new ArrayList<>();
        for (String k : redisKeys) {
            parseKey(k).ifPresent(result::add);
        }
        return result;
    }

    private Optional<CategoryKey> parseKey(String redisKey) {
        Optional<CategoryKey> key = root.parse(redisKey);
        if (key.isEmpty() && !redisKey.equals(root.root()) && reported.firstTime("key\n" + redisKey)) {
            observer.malformedKey(redisKey, "not of the form " + root.root() + "<service>/<category>; skipped");
        }
        return key;
    }

    void reportMalformedEntry(String key, String field, String reason) {
        if (reported.firstTime("entry\n" + key + "\n" + field)) {
            observer.malformedEntry(key, field, reason);
        }
    }

    private void reportReadFailure(String key, Throwable failure) {
        if (isWrongType(failure)) {
            if (reported.firstTime("type\n" + key)) {
                observer.malformedKey(key, "not a hash; the registry skips it");
            }
        } else if (RedisAccessException.isUnavailability(failure)) {
            // Connection trouble: reported by the store, healed by the resync.
            availability.failed();
        }
    }

    private static boolean isWrongType(Throwable e) {
        return RedisAccessException.isWrongType(e);
    }

    private <T> CompletableFuture<T> onExecutor(java.util.function.Supplier<CompletableFuture<T>> task) {
        return CompletableFuture.supplyAsync(task, executor).thenCompose(Function.identity());
    }

    int watchedKeyCount() {
        return keys.size();
    }
}
