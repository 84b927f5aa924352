package io.github.dubboredis.internal.watch;

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
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

import io.github.dubboredis.internal.concurrent.Scheduler;
import io.github.dubboredis.internal.model.CategoryKey;
import io.github.dubboredis.internal.model.ChangeRecord;
import io.github.dubboredis.internal.model.KeySnapshot;
import io.github.dubboredis.internal.model.Keyspace;
import io.github.dubboredis.internal.report.RegistryObserver;
import io.github.dubboredis.internal.report.ReportLimiter;
import io.github.dubboredis.internal.store.KeyPage;
import io.github.dubboredis.internal.store.RedisAccessException;
import io.github.dubboredis.internal.store.RegistryStore;
import io.github.dubboredis.internal.store.StoreListener;
import io.github.dubboredis.internal.time.Availability;
import io.github.dubboredis.internal.time.RedisClock;

/**
 * Keeps each watched key current and tells the watches on it. A key's own channel and its change channel are
 * subscribed (exact channels, all on the store's one pub/sub connection; a pattern for an admin); a change
 * record is applied at once, without reading Redis; anything a record does not explain (an older registry's
 * announcement, a gap, a reconnect) reads the key whole, page by page. Anti-entropy compares each key's
 * sequence and size with what is held, and reads the ones that differ.
 *
 * <p>All state is confined to the store's scheduler (its tasks run one at a time), so no locks. Listeners are
 * called there too and must hand off at once.
 */
public final class Subscriptions implements StoreListener {

    /** Every this many anti-entropy passes, every key is read whole instead of only compared. */
    static final int DEEP_PASS_EVERY = 10;
    /**
     * An admin reads at most this many keys it has not seen before at once, and at most this many a second: a key
     * named only by a message may not exist (a flood of publishes on junk channels). Beyond that, one scan of the
     * root a little later finds those that do exist.
     */
    static final int ADMIN_NEW_KEY_READS = 1000;
    /** How long after running out of new-key reads an admin scans the root for the keys it skipped. */
    static final long ADMIN_SCAN_DELAY_MILLIS = 2000;
    private static final String UNREGISTER = "unregister";

    private final RegistryStore store;
    private final Scheduler scheduler;
    private final Keyspace keyspace;
    private final RedisClock clock;
    private final Availability availability;
    private final RegistryObserver observer;
    private final DataReports reports;
    private final HashParser parser;
    private final KeyReader reader;
    private final Consumer<String> markerSeen;
    /** How long an entry that vanished without an announcement is kept at most (see {@link #applyRead}). */
    private final long unannouncedRemovalHoldMillis;
    private final RecoveryHold recovery;

    private final Map<String, WatchedKey> keys = new HashMap<>();
    private final Map<String, WatchedKey> byChangeChannel = new HashMap<>();
    private final Set<Watch> admins = new LinkedHashSet<>();
    /** Watches whose first delivery waits for these keys to be read. */
    private final Map<Watch, FirstDelivery> firstDeliveries = new LinkedHashMap<>();
    private final Set<Watch> active = new LinkedHashSet<>();
    private final NewKeyBudget newKeyReads;
    private boolean adminScanScheduled;
    /** An admin missed keys (a scan failed, or too many new keys at once): scan again at the next chance. */
    private boolean adminScanNeeded;
    private int resyncPasses;
    private boolean closed;

    /** A watch waiting for its keys' first read. */
    private static final class FirstDelivery {
        final Set<WatchedKey> waitingFor = new LinkedHashSet<>();
        final List<WatchedKey> keys = new ArrayList<>();
        CompletableFuture<Void> done = new CompletableFuture<>();
    }

    public Subscriptions(RegistryStore store, Keyspace keyspace, RedisClock clock, Availability availability,
            RegistryObserver observer, ReportLimiter reports, long maxEntriesPerKey, Consumer<String> markerSeen,
            long unannouncedRemovalHoldMillis, long recoveryHoldMillis, long recoveryCooldownMillis) {
        this.store = store;
        this.scheduler = store.scheduler();
        this.keyspace = keyspace;
        this.clock = clock;
        this.availability = availability;
        this.observer = observer;
        this.reports = new DataReports(observer, reports);
        this.parser = new HashParser(clock, availability, this.reports);
        this.newKeyReads = new NewKeyBudget(ADMIN_NEW_KEY_READS, scheduler::nanoTime);
        this.reader = new KeyReader(store, maxEntriesPerKey);
        this.markerSeen = markerSeen;
        this.unannouncedRemovalHoldMillis = unannouncedRemovalHoldMillis;
        this.recovery = new RecoveryHold(recoveryHoldMillis, recoveryCooldownMillis);
    }

    // ---- starting and stopping watches -----------------------------------------------------------

    /**
     * Subscribes, reads every key of the watch and delivers them to its listener in one call; from then on
     * the watch hears each change. Completes after that first delivery. If Redis cannot be read now, the watch
     * stays registered and gets its first delivery as soon as Redis is back; the future fails. Starting a
     * watch that is already started waits for its first delivery again (that is how a retry looks).
     */
    public CompletableFuture<Void> start(Watch watch) {
        return onScheduler(() -> watch.everything() ? startEverything(watch) : startKeys(watch));
    }

    private CompletableFuture<Void> startKeys(Watch watch) {
        FirstDelivery first = firstDeliveries.get(watch);
        if (first != null && !first.done.isCompletedExceptionally()) {
            return first.done.copy();
        }
        boolean restart = active.contains(watch) || first != null;
        first = new FirstDelivery();
        firstDeliveries.put(watch, first);
        active.add(watch);
        List<WatchedKey> newlySubscribed = new ArrayList<>();
        for (CategoryKey k : watch.keys()) {
            WatchedKey wk = keys.computeIfAbsent(k.redisKey(), x -> newKey(k));
            // Added now, not when the first read returns: a stop() in between must find it.
            wk.watches.add(watch);
            first.keys.add(wk);
            if (!wk.subscribed) {
                wk.subscribed = true;
                newlySubscribed.add(wk);
            }
            if (restart || wk.snapshot == null || wk.reads.busy() || newlySubscribed.contains(wk)) {
                first.waitingFor.add(wk);
            }
        }
        FirstDelivery waiting = first;
        subscribeChannels(newlySubscribed).whenCompleteAsync((ok, failure) -> {
            if (firstDeliveries.get(watch) != waiting) {
                return; // stopped, or started again, meanwhile
            }
            if (failure != null) {
                waiting.done.completeExceptionally(failure); // served when subscriptions are restored
                return;
            }
            for (WatchedKey wk : List.copyOf(waiting.waitingFor)) {
                requestRead(wk);
            }
            deliverFirstIfReady(watch, waiting);
        }, scheduler);
        return first.done.copy();
    }

    /**
     * Subscribes keys' own channels first, their change channels second (one SUBSCRIBE each): a script that
     * runs in between is then heard as an unexplained announcement (a read), never as records whose
     * announcement was missed. An ACL may forbid the change channels: those keys are then read on every
     * announcement, and the registry says so once.
     */
    private CompletableFuture<Void> subscribeChannels(List<WatchedKey> added) {
        if (added.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        List<String> own = new ArrayList<>();
        List<String> records = new ArrayList<>();
        for (WatchedKey wk : added) {
            own.add(wk.key.redisKey());
            if (store.changeRecordsUsable() && wk.key.hasChangeRecords()) {
                records.add(wk.key.changeChannel());
                byChangeChannel.put(wk.key.changeChannel(), wk);
            }
        }
        CompletableFuture<Void> ownDone = store.subscribe(own);
        if (records.isEmpty()) {
            return ownDone;
        }
        CompletableFuture<Void> recordsDone = store.subscribe(records).handleAsync((ok, e) -> {
            if (e != null && !RedisAccessException.isUnavailability(e)) {
                for (WatchedKey wk : added) {
                    wk.changeChannelRefused = true;
                }
                if (reports.due("change-channels-refused")) {
                    observer.connectionWarning(store.describe(), "cannot subscribe to the change channels ("
                            + e.getMessage() + "): watched keys are read whole on every change, which costs more. "
                            + "Allow the channels '&dubbo-redis:*' (see the ACL rule in docs/hostile-input.md#acl)");
                }
                return null;
            }
            if (e != null) {
                throw new CompletionException(e);
            }
            return null;
        }, scheduler);
        return ownDone.thenCombine(recordsDone, (a, b) -> null);
    }

    private CompletableFuture<Void> startEverything(Watch watch) {
        FirstDelivery first = new FirstDelivery();
        firstDeliveries.put(watch, first);
        boolean firstAdmin = admins.isEmpty();
        boolean firstWithInstances = watch.withInstances() && admins.stream().noneMatch(Watch::withInstances);
        admins.add(watch);
        active.add(watch);
        CompletableFuture<Void> subscribed = firstAdmin ? store.subscribePattern(keyspace.pattern())
                : CompletableFuture.completedFuture(null);
        if (firstWithInstances) {
            subscribed = subscribed.thenCompose(x -> store.subscribePattern(instancesPattern()));
        }
        subscribed.thenCompose(ignored -> scanAll(keyspace.pattern(), null, new ArrayList<>()))
                .thenCompose(found -> watch.withInstances() ? scanAll(instancesPattern(), null, found)
                        : CompletableFuture.completedFuture(found))
                .whenCompleteAsync((found, failure) -> {
                    if (firstDeliveries.get(watch) != first) {
                        return;
                    }
                    if (failure != null) {
                        adminScanNeeded = true;
                        first.done.completeExceptionally(failure);
                        return;
                    }
                    for (String name : found) {
                        Optional<CategoryKey> k = keyspace.parseEntryKey(name);
                        if (k.isEmpty()) {
                            reports.malformedKey(name, "not of the form " + keyspace.root() + "<service>/<category>; skipped");
                            continue;
                        }
                        WatchedKey wk = keys.computeIfAbsent(name, x -> newKey(k.get()));
                        first.keys.add(wk);
                        first.waitingFor.add(wk);
                    }
                    for (WatchedKey wk : List.copyOf(first.waitingFor)) {
                        requestRead(wk);
                    }
                    deliverFirstIfReady(watch, first);
                }, scheduler);
        return first.done.copy();
    }

    private String instancesPattern() {
        return keyspace.instancesPrefix() + "*";
    }

    private boolean isInstancesKey(CategoryKey key) {
        return Keyspace.INSTANCES.equals(key.category()) && key.redisKey().startsWith(keyspace.instancesPrefix());
    }

    /** Every key matching a pattern, page by page (SCAN, never KEYS). */
    private CompletableFuture<List<String>> scanAll(String pattern, Object from, List<String> found) {
        return store.scanKeys(pattern, from, 1000).thenCompose((KeyPage page) -> {
            found.addAll(page.keys());
            return page.last() ? CompletableFuture.completedFuture(found) : scanAll(pattern, page.next(), found);
        });
    }

    public CompletableFuture<Void> stop(Watch watch) {
        return onScheduler(() -> {
            active.remove(watch);
            FirstDelivery pending = firstDeliveries.remove(watch);
            if (pending != null) {
                pending.done.complete(null);
            }
            boolean wasWithInstances = admins.stream().anyMatch(Watch::withInstances);
            boolean lastAdmin = watch.everything() && admins.remove(watch) && admins.isEmpty();
            boolean lastWithInstances = wasWithInstances && admins.stream().noneMatch(Watch::withInstances);
            List<String> dropOwn = new ArrayList<>();
            List<String> dropRecords = new ArrayList<>();
            keys.values().removeIf(wk -> {
                wk.watches.remove(watch);
                if (!wk.watches.isEmpty()) {
                    return false;
                }
                if (wk.subscribed) {
                    wk.subscribed = false;
                    dropOwn.add(wk.key.redisKey());
                    if (byChangeChannel.remove(wk.key.changeChannel()) != null) {
                        dropRecords.add(wk.key.changeChannel());
                    }
                }
                return admins.isEmpty(); // an admin still watches everything: keep the state, without channels
            });
            // Change channels first, the key's own channel second: the reverse of subscribing.
            CompletableFuture<Void> done = store.unsubscribe(dropRecords).thenCompose(ignored -> store.unsubscribe(dropOwn));
            if (lastWithInstances) {
                done = done.thenCompose(ignored -> store.unsubscribePattern(instancesPattern()));
            }
            return lastAdmin ? done.thenCompose(ignored -> store.unsubscribePattern(keyspace.pattern())) : done;
        });
    }

    /** Reads keys now, without watching them (a lookup). */
    public CompletableFuture<Map<String, KeySnapshot>> readNow(List<CategoryKey> toRead) {
        Map<String, CompletableFuture<KeyReader.Result>> reads = new LinkedHashMap<>();
        for (CategoryKey k : toRead) {
            reads.put(k.redisKey(), reader.read(k));
        }
        return CompletableFuture.allOf(reads.values().toArray(CompletableFuture[]::new)).handleAsync((ignored, failure) -> {
            Map<String, KeySnapshot> result = new LinkedHashMap<>();
            Throwable unavailable = null;
            for (CategoryKey k : toRead) {
                CompletableFuture<KeyReader.Result> f = reads.get(k.redisKey());
                if (f.isCompletedExceptionally()) {
                    Throwable e = f.handle((v, t) -> t).join();
                    if (RedisAccessException.isWrongType(e)) {
                        reports.malformedKey(k.redisKey(), "not a hash; the registry skips it");
                    } else if (unavailable == null) {
                        unavailable = e;
                    }
                    continue;
                }
                KeyReader.Result r = f.join();
                if (r.refused()) {
                    reports.tooLarge(k, r.refusedSize(), reader.maxEntries());
                    continue;
                }
                result.put(k.redisKey(), parser.parse(k, r.entries(), r.sequence()));
            }
            if (unavailable != null) {
                if (RedisAccessException.isUnavailability(unavailable)) {
                    availability.failed();
                }
                throw new CompletionException(unavailable);
            }
            availability.succeeded();
            return result;
        }, scheduler);
    }

    // ---- messages ------------------------------------------------------------------------------

    @Override
    public void onMessage(String channel, String message) {
        if (closed) {
            return;
        }
        WatchedKey wk = keys.get(channel);
        if (wk != null && wk.subscribed) {
            if (wk.usesChangeRecords(store.changeRecordsUsable()) && wk.changes.onAnnouncement()) {
                return; // the announcement of records already applied
            }
            if (UNREGISTER.equals(message)) {
                wk.removalAnnounced = true;
            }
            noteEvent(wk);
            requestRead(wk);
            return;
        }
        wk = byChangeChannel.get(channel);
        if (wk != null) {
            onChangeRecord(wk, message);
        }
    }

    private void onChangeRecord(WatchedKey wk, String message) {
        ChangeRecord record = ChangeRecord.decode(message);
        noteEvent(wk);
        if (record == null) {
            reports.malformedKey(wk.key.changeChannel(), "a message that is not a change record was published here: "
                    + message + "; reading the key whole");
            wk.changes.reset();
            requestRead(wk);
            return;
        }
        switch (wk.changes.onRecord(record)) {
            case APPLY -> applyRecord(wk, record);
            case READ -> requestRead(wk);
            case IGNORE -> releaseIfHeld(wk, record);
            case BUFFERED -> {
                // replayed over the read in flight
            }
        }
    }

    @Override
    public void onPatternMessage(String pattern, String channel, String message) {
        if (closed || admins.isEmpty() || !(pattern.equals(keyspace.pattern()) || pattern.equals(instancesPattern()))) {
            return;
        }
        WatchedKey wk = keys.get(channel);
        if (wk == null) {
            Optional<CategoryKey> key = keyspace.parseEntryKey(channel);
            if (key.isEmpty()) {
                if (!channel.equals(keyspace.root())) {
                    reports.malformedKey(channel, "not of the form " + keyspace.root() + "<service>/<category>; skipped");
                }
                return;
            }
            if (!newKeyReads.tryTake()) {
                scanForSkippedKeysSoon(); // bounded: the scan finds it if it exists
                return;
            }
            wk = newKey(key.get());
            wk.newToAdmin = true;
            keys.put(channel, wk);
        }
        if (UNREGISTER.equals(message)) {
            wk.removalAnnounced = true;
        }
        noteEvent(wk);
        requestRead(wk);
    }

    /** Keys an admin skipped are looked for with one scan of the root, once, a little later. */
    private void scanForSkippedKeysSoon() {
        adminScanNeeded = true;
        if (adminScanScheduled) {
            return;
        }
        adminScanScheduled = true;
        scheduler.schedule(() -> {
            adminScanScheduled = false;
            if (!closed && adminScanNeeded && !admins.isEmpty()) {
                lookForNewKeys();
            }
        }, ADMIN_SCAN_DELAY_MILLIS);
    }

    @Override
    public void onSubscriptionsRestored(String node) {
        for (WatchedKey wk : keys.values()) {
            wk.changes.reset();
        }
        resync(node, true);
    }

    /**
     * Commands reach Redis again. The two links of a node reconnect independently: when the pub/sub one came
     * back first, the reads it asked for failed on the command link; they are sent again now rather than
     * left to the next anti-entropy pass.
     */
    public void onCommandsRestored() {
        for (WatchedKey wk : keys.values()) {
            if (wk.readFailed) {
                requestRead(wk);
            }
        }
        if (adminScanNeeded && !admins.isEmpty()) {
            lookForNewKeys();
        }
    }

    // ---- anti-entropy ------------------------------------------------------------------------------

    /** The periodic anti-entropy pass: compares each key with what is held; every {@value #DEEP_PASS_EVERY}th pass reads every key. */
    public void antiEntropy() {
        resync("anti-entropy", ++resyncPasses % DEEP_PASS_EVERY == 0);
    }

    /**
     * Reads every watched key again ({@code whole}), or only those whose sequence or size differ from what is
     * held; an admin also looks for keys that appeared meanwhile.
     */
    public void resync(String reason, boolean whole) {
        for (WatchedKey wk : keys.values()) {
            if (whole || wk.snapshot == null || wk.rawSize < 0 || wk.changes.appliedSequence() < 0) {
                requestRead(wk);
            } else {
                probe(wk);
            }
        }
        if (!admins.isEmpty()) {
            lookForNewKeys();
        }
        observer.resynced(reason, keys.size());
    }

    private void probe(WatchedKey wk) {
        long sequence = wk.changes.appliedSequence();
        long size = wk.rawSize;
        store.probe(wk.key).whenCompleteAsync((p, e) -> {
            if (keys.get(wk.key.redisKey()) != wk) {
                return;
            }
            if (e != null) {
                wk.readFailed = RedisAccessException.isUnavailability(e);
                return;
            }
            // Unchanged only if nothing was applied meanwhile and Redis still agrees.
            if (p.sequence() != sequence || p.size() != size || wk.changes.appliedSequence() != sequence || wk.rawSize != size) {
                requestRead(wk);
            }
        }, scheduler);
    }

    /** For an admin: scans the root for keys that appeared without an announcement it heard, and reads them. */
    private void lookForNewKeys() {
        adminScanNeeded = false;
        boolean instances = admins.stream().anyMatch(Watch::withInstances);
        scanAll(keyspace.pattern(), null, new ArrayList<>())
                .thenCompose(found -> instances ? scanAll(instancesPattern(), null, found) : CompletableFuture.completedFuture(found))
                .whenCompleteAsync((found, e) -> {
            if (e != null) {
                adminScanNeeded = RedisAccessException.isUnavailability(e);
                return;
            }
            for (String name : found) {
                if (keys.containsKey(name)) {
                    continue;
                }
                Optional<CategoryKey> k = keyspace.parseEntryKey(name);
                if (k.isEmpty()) {
                    reports.malformedKey(name, "not of the form " + keyspace.root() + "<service>/<category>; skipped");
                    continue;
                }
                WatchedKey wk = newKey(k.get());
                keys.put(name, wk);
                requestRead(wk);
            }
        }, scheduler);
    }

    // ---- reading --------------------------------------------------------------------------------

    private WatchedKey newKey(CategoryKey key) {
        return new WatchedKey(key, wk -> new ReadScheduler(scheduler, () -> sendRead(wk)));
    }

    private void noteEvent(WatchedKey wk) {
        if (wk.firstEventNanos == 0) {
            wk.firstEventNanos = scheduler.nanoTime();
        }
    }

    private void requestRead(WatchedKey wk) {
        if (!closed && keys.get(wk.key.redisKey()) == wk) {
            wk.reads.request();
        }
    }

    private void sendRead(WatchedKey wk) {
        if (closed || keys.get(wk.key.redisKey()) != wk) {
            wk.reads.readDone();
            return;
        }
        boolean removalAnnounced = wk.removalAnnounced;
        wk.removalAnnounced = false;
        wk.changes.readSent();
        // The data marker rides along (same round trip): a read of a Redis that lost its data must not take
        // providers away before they had a chance to register again.
        CompletableFuture<String> marker = store.readMarker(keyspace.epochKey());
        // On the scheduler's own thread, unlike a message: a read's result is parsed whole (up to key.max-entries
        // entries), work that must not hold the client's I/O thread, which carries every other reply and message.
        reader.read(wk.key).whenCompleteAsync((result, failure) -> {
            try {
                checkMarker(marker);
                if (keys.get(wk.key.redisKey()) != wk) {
                    return; // no longer watched
                }
                if (failure != null) {
                    readFailed(wk, failure, removalAnnounced);
                } else {
                    availability.succeeded();
                    wk.readFailed = false;
                    applyRead(wk, result, removalAnnounced);
                }
            } finally {
                if (wk.newToAdmin) {
                    wk.newToAdmin = false;
                    newKeyReads.done();
                }
                wk.reads.readDone();
            }
        }, scheduler);
    }

    private void readFailed(WatchedKey wk, Throwable failure, boolean removalAnnounced) {
        wk.changes.readFailed();
        wk.removalAnnounced |= removalAnnounced;
        if (RedisAccessException.isWrongType(failure)) {
            // Not delivered at all (not even as empty): the watches waiting for it get their other keys.
            reports.malformedKey(wk.key.redisKey(), "not a hash; the registry skips it");
            satisfyFirstDeliveries(wk);
            if (wk.watches.isEmpty() && !wk.subscribed) {
                keys.remove(wk.key.redisKey()); // an admin keeps no state for it
            }
            return;
        }
        if (RedisAccessException.isUnavailability(failure)) {
            wk.readFailed = true;
            availability.failed();
        }
        for (Map.Entry<Watch, FirstDelivery> f : firstDeliveries.entrySet()) {
            if (f.getValue().waitingFor.contains(wk) && !f.getValue().done.isDone()) {
                f.getValue().done.completeExceptionally(failure);
            }
        }
    }

    private void checkMarker(CompletableFuture<String> marker) {
        if (marker.isDone() && !marker.isCompletedExceptionally()) {
            markerSeen.accept(marker.join());
        }
    }

    /**
     * Takes a whole read of a key: its live entries, with the records that arrived meanwhile applied over them.
     *
     * <p>Entries are taken away only when that is announced: every removal, by an owner or a reaper, is
     * recorded or followed by an {@code unregister}. Dynamic entries that vanish unannounced (Redis lost data:
     * a restart, a flush, a failover to a replica that lagged, in one slot of a cluster or everywhere; or the
     * announcement was missed while this subscriber was cut off) are kept for a settle period at most (never
     * past their last known expiry), the time their owners need to write them again if they live; after a
     * detected data loss, for the whole recovery hold. Static entries are never kept: nobody renews them.
     */
    private void applyRead(WatchedKey wk, KeyReader.Result result, boolean removalAnnounced) {
        if (result.refused()) {
            wk.changes.readCompleted(result.sequence()); // its records are of no use without the entries
            if (!wk.tooLarge) {
                wk.tooLarge = true;
                reports.tooLarge(wk.key, result.refusedSize(), reader.maxEntries());
            }
            if (wk.snapshot == null) {
                // Not delivered: the watches waiting for it get their other keys.
                wk.snapshot = null;
                satisfyFirstDeliveries(wk);
            }
            return;
        }
        if (wk.tooLarge) {
            wk.tooLarge = false;
            reports.notTooLarge(wk.key);
        }
        KeySnapshot fresh = parser.parse(wk.key, result.entries(), result.sequence());
        long rawSize = result.entries().size();
        ChangeTracker.Replay replay = wk.changes.readCompleted(result.sequence());
        // Removals that records announced, included in the read or replayed over it: never held as unannounced.
        java.util.Set<String> announcedRemovals = new java.util.HashSet<>(replay.removedBefore());
        if (replay.toApply() == null) {
            requestRead(wk); // the records kept meanwhile have a gap
        } else {
            for (ChangeRecord r : replay.toApply()) {
                fresh = fresh.with(r);
                rawSize += sizeChange(r);
                if (!r.put()) {
                    announcedRemovals.add(r.field());
                }
            }
        }
        wk.rawSize = rawSize;
        KeySnapshot before = wk.snapshot;
        long now = clock.now();
        KeySnapshot found = fresh;
        if (before != null && recovery.holding(now)) {
            fresh = fresh.keepingEntriesOf(before);
            wk.removalAnnounced |= removalAnnounced; // honoured by the first read after the hold
        } else if (before != null && !removalAnnounced) {
            KeySnapshot held = fresh.keepingVanishedDynamicEntriesOf(before, now, unannouncedRemovalHoldMillis);
            if (held != fresh) {
                scheduleExpiryCheck(wk, held.earliestExpiryOfEntriesNotIn(fresh));
            }
            fresh = held;
        }
        for (String removed : announcedRemovals) {
            fresh = found.contains(removed) ? fresh : fresh.without(removed);
        }
        wk.heldFields.clear();
        wk.heldFields.addAll(fresh.fieldsNotIn(found));
        update(wk, fresh);
    }

    private void applyRecord(WatchedKey wk, ChangeRecord record) {
        if (wk.snapshot == null) {
            requestRead(wk);
            return;
        }
        wk.heldFields.remove(record.field());
        wk.rawSize += sizeChange(record);
        update(wk, wk.snapshot.with(record));
    }

    /**
     * A record older than what a read already showed, published before that read and delivered after it: the read
     * found its entry gone, and held it as a removal nobody had announced. This record is the announcement.
     */
    private void releaseIfHeld(WatchedKey wk, ChangeRecord record) {
        if (!record.put() && wk.snapshot != null && wk.heldFields.remove(record.field())) {
            update(wk, wk.snapshot.without(record.field()));
        }
    }

    private static int sizeChange(ChangeRecord r) {
        return switch (r.op()) {
            case CREATED -> 1;
            case REMOVED -> -1;
            case UPDATED -> 0;
        };
    }

    /** Takes a new snapshot of a key and tells whoever it concerns if its entries changed. */
    private void update(WatchedKey wk, KeySnapshot fresh) {
        KeySnapshot before = wk.snapshot;
        wk.snapshot = fresh;
        boolean changed = !fresh.sameEntriesAs(before);
        if (wk.firstEventNanos != 0) {
            observer.notified(wk.key.redisKey(), (scheduler.nanoTime() - wk.firstEventNanos) / 1_000_000);
            wk.firstEventNanos = 0;
        }
        if (changed) {
            tell(wk, fresh); // not the watches still waiting for their first delivery: they get it next
        }
        satisfyFirstDeliveries(wk);
        if (wk.watches.isEmpty() && !wk.subscribed && fresh.size() == 0 && !admins.isEmpty()) {
            // An admin keeps no state for keys that do not exist: junk announcements must not fill the heap.
            keys.remove(wk.key.redisKey());
        }

    }

    private void tell(WatchedKey wk, KeySnapshot fresh) {
        List<KeySnapshot> one = List.of(fresh);
        for (Watch w : wk.watches) {
            if (!firstDeliveries.containsKey(w)) {
                deliver(w, one);
            }
        }
        boolean instances = isInstancesKey(wk.key);
        for (Watch w : admins) {
            if (!firstDeliveries.containsKey(w) && !wk.watches.contains(w) && (!instances || w.withInstances())) {
                deliver(w, one);
            }
        }
    }

    private void satisfyFirstDeliveries(WatchedKey wk) {
        if (firstDeliveries.isEmpty()) {
            return;
        }
        for (Map.Entry<Watch, FirstDelivery> f : List.copyOf(firstDeliveries.entrySet())) {
            if (f.getValue().waitingFor.remove(wk)) {
                deliverFirstIfReady(f.getKey(), f.getValue());
            }
        }
    }

    private void deliverFirstIfReady(Watch watch, FirstDelivery first) {
        if (!first.waitingFor.isEmpty() || firstDeliveries.get(watch) != first) {
            return;
        }
        firstDeliveries.remove(watch);
        List<KeySnapshot> snapshots = new ArrayList<>();
        for (WatchedKey wk : first.keys) {
            if (wk.snapshot != null) {
                snapshots.add(wk.snapshot);
            }
        }
        if (!snapshots.isEmpty() || !watch.everything()) {
            deliver(watch, snapshots);
        }
        first.done.complete(null);
    }

    /** Reads the key again once the entries kept beyond their disappearance are due to expire. */
    private void scheduleExpiryCheck(WatchedKey wk, long expiry) {
        if (wk.expiryCheckScheduled || expiry == Long.MAX_VALUE) {
            return;
        }
        wk.expiryCheckScheduled = true;
        long delay = Math.max(0, expiry - clock.now()) + 1;
        scheduler.schedule(() -> {
            wk.expiryCheckScheduled = false;
            requestRead(wk);
        }, delay);
    }

    // ---- recovery after a data loss ----------------------------------------------------------------

    /**
     * Redis lost its data: watches keep every entry they had (new ones are added, none is taken away) while
     * the owners register again, then everything is read afresh. Bounded in total (see {@link RecoveryHold}).
     */
    public RecoveryHold.Start beginRecovery(long holdMillis) {
        RecoveryHold.Start start = recovery.begin(clock.now());
        if (start == RecoveryHold.Start.STARTED) {
            scheduler.schedule(this::endRecoveryIfDue, holdMillis);
        }
        return start;
    }

    /** Losses seen too soon after a hold to get one, since the last call. */
    public long takeLossesWithoutHold() {
        return recovery.takeSuppressed();
    }

    private void endRecoveryIfDue() {
        long left = recovery.endsAt() - clock.now();
        if (left > 0) {
            scheduler.schedule(this::endRecoveryIfDue, left);
            return;
        }
        resync("recovery over", true);
    }

    public boolean recovering() {
        return recovery.holding(clock.now());
    }

    // ---- reports -------------------------------------------------------------------------------------

    /** Reports fields the Dubbo side could not use (a summary per key, bounded in rate). */
    public void reportMalformedEntries(String key, int count, String exampleField, String reason) {
        reports.malformedEntries(key, count, exampleField, reason);
    }

    private void deliver(Watch watch, List<KeySnapshot> snapshots) {
        try {
            watch.listener().onSnapshots(snapshots);
        } catch (RuntimeException e) {
            observer.listenerFailed(snapshots.isEmpty() ? "a watch" : snapshots.size() + " key(s) starting with "
                    + snapshots.get(0).key(), e);
        }
    }

    private <T> CompletableFuture<T> onScheduler(Supplier<CompletableFuture<T>> task) {
        return CompletableFuture.supplyAsync(task, scheduler).thenCompose(Function.identity());
    }

    public int watchedKeyCount() {
        return keys.size();
    }

    /** Stops reacting to events; the store's subscriptions are released by the engine's stop of each watch. */
    public void close() {
        scheduler.execute(() -> closed = true);
    }
}
