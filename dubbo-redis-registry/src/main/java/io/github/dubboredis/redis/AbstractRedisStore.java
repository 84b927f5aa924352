package io.github.dubboredis.redis;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BinaryOperator;
import java.util.function.Function;

import io.github.dubboredis.config.ConnectionSettings;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;

/**
 * What every topology shares: the Redis commands the registry uses, reference-counted pub/sub
 * subscriptions that are restored after every reconnect, and the hand-off of client events to the
 * store's own thread. A topology decides only which links take writes, reads and subscriptions.
 */
abstract class AbstractRedisStore implements RedisStore, RedisLink.Events {

    protected final ConnectionSettings settings;
    protected final ScheduledExecutorService executor;
    private final List<StoreListener> listeners = new CopyOnWriteArrayList<>();
    private final Map<String, Integer> channels = new HashMap<>();
    private final Map<String, Integer> patterns = new HashMap<>();
    /** Channels the store listens on itself (see {@link #keepSubscribed}); a refusal of them is reported once. */
    private final Set<String> ownChannels = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean ownChannelsRefusalReported = new AtomicBoolean();
    protected volatile boolean closed;
    private volatile RedisAccessException lastConnectFailure;
    /**
     * Warnings (node, message) that came before anyone listened (the first connection is made before
     * the first registry listens): handed to the next listener, once. Only touched on the executor.
     */
    private final List<String[]> unheardWarnings = new ArrayList<>();
    private final Set<String> inspectedNodes = ConcurrentHashMap.newKeySet();

    /** Creates the (unconnected) link to node {@code index}, reporting to {@code events}. */
    interface LinkFactory {
        RedisLink create(int index, RedisLink.Events events);
    }

    AbstractRedisStore(ConnectionSettings settings, ScheduledExecutorService executor) {
        this.settings = settings;
        this.executor = executor;
    }

    /** Connects; fails only if {@code mustConnect} and no node can be reached now. */
    abstract CompletableFuture<Void> start(boolean mustConnect);

    /**
     * Connects a link, remembering why it failed for {@link #lastConnectFailure()}; the first time a
     * node answers, looks at how it is configured ({@link ServerCheck}).
     */
    protected CompletableFuture<Void> connect(RedisLink link) {
        return link.connect().whenComplete((ok, e) -> {
            if (e != null) {
                RedisAccessException failure = RedisErrors.translate(e, link.name(), settings);
                RedisAccessException previous = lastConnectFailure;
                lastConnectFailure = failure;
                if (previous == null || !previous.getMessage().equals(failure.getMessage())) {
                    warning(link, failure.getMessage() + "; retrying, backing off up to " + settings.reconnectPeriod().toMillis()
                            + " ms (setting 'reconnect.period')");
                }
            } else if (inspectedNodes.add(link.name())) {
                ServerCheck.inspect(link, message -> warning(link, message));
            }
        });
    }

    /** Why the last connection attempt failed; null if none did. */
    RedisAccessException lastConnectFailure() {
        return lastConnectFailure;
    }

    /** The links that take writes now; empty when none is connected. */
    protected abstract List<RedisLink> writeLinks();

    /** The link reads go to now. */
    protected abstract RedisLink readLink();

    /** The links whose pub/sub connections carry our subscriptions. */
    protected abstract List<RedisLink> subscriberLinks();

    /** Closes the links, completing when they are shut down; the executor belongs to the caller. */
    abstract CompletableFuture<Void> closeLinks();

    @Override
    public String describe() {
        return settings.describe();
    }

    @Override
    public ScheduledExecutorService executor() {
        return executor;
    }

    @Override
    public void addListener(StoreListener listener) {
        listeners.add(listener);
        executor.execute(() -> {
            for (String[] w : unheardWarnings) {
                listener.onWarning(w[0], w[1]);
            }
            unheardWarnings.clear();
        });
    }

    @Override
    public void removeListener(StoreListener listener) {
        listeners.remove(listener);
    }

    // ---- reads -------------------------------------------------------------------------------

    @Override
    public CompletableFuture<Map<String, String>> readHash(String key) {
        return read(link -> link.commands().hgetall(key).toCompletableFuture()).exceptionallyCompose(e -> {
            if (RedisErrors.isWrongType(e)) {
                return CompletableFuture.failedFuture(new WrongTypeException(key, readLinkName()));
            }
            return CompletableFuture.failedFuture(e);
        });
    }

    @Override
    public CompletableFuture<String> readValue(String key) {
        return read(link -> link.commands().get(key).toCompletableFuture());
    }

    @Override
    public CompletableFuture<String> readField(String key, String field) {
        return read(link -> link.commands().hget(key, field).toCompletableFuture()).exceptionallyCompose(e ->
                RedisErrors.isWrongType(e)
                        ? CompletableFuture.failedFuture(new WrongTypeException(key, readLinkName()))
                        : CompletableFuture.failedFuture(e));
    }

    @Override
    public CompletableFuture<String> keyType(String key) {
        return read(link -> link.commands().type(key).toCompletableFuture());
    }

    @Override
    public CompletableFuture<String> info(String section) {
        return read(link -> link.commands().info(section).toCompletableFuture());
    }

    @Override
    public CompletableFuture<Map<String, String>> configGet(String... parameters) {
        return read(link -> link.commands().configGet(parameters).toCompletableFuture());
    }

    @Override
    public CompletableFuture<Void> ping() {
        return read(link -> link.commands().ping().toCompletableFuture()).thenApply(pong -> null);
    }

    @Override
    public CompletableFuture<Long> serverTimeMillis() {
        return read(link -> link.commands().time().toCompletableFuture()).thenApply(
                t -> Long.parseLong(t.get(0)) * 1000 + Long.parseLong(t.get(1)) / 1000);
    }

    @Override
    public CompletableFuture<List<String>> scanKeys(String pattern) {
        List<String> keys = new ArrayList<>();
        return read(link -> scanFrom(link, ScanCursor.INITIAL, ScanArgs.Builder.matches(pattern).limit(1000), keys));
    }

    private CompletableFuture<List<String>> scanFrom(RedisLink link, ScanCursor cursor, ScanArgs args, List<String> keys) {
        return link.commands().scan(cursor, args).toCompletableFuture().thenCompose((KeyScanCursor<String> page) -> {
            keys.addAll(page.getKeys());
            return page.isFinished() ? CompletableFuture.completedFuture(keys) : scanFrom(link, page, args, keys);
        });
    }

    @Override
    public CompletableFuture<Map<String, Double>> rangeByScore(String index, double maxScore, int limit) {
        return read(link -> link.commands()
                .zrangebyscoreWithScores(index, Range.from(Range.Boundary.unbounded(), Range.Boundary.including(maxScore)),
                        Limit.create(0, limit))
                .toCompletableFuture()).thenApply(values -> {
                    Map<String, Double> result = new LinkedHashMap<>();
                    for (ScoredValue<String> v : values) {
                        result.put(v.getValue(), v.getScore());
                    }
                    return result;
                });
    }

    // ---- writes ------------------------------------------------------------------------------

    @Override
    public CompletableFuture<Long> writeFields(String key, Map<String, String> fieldValues) {
        return write(link -> link.commands().hset(key, fieldValues).toCompletableFuture(), Math::max);
    }

    @Override
    public CompletableFuture<Long> deleteFields(String key, Collection<String> fields) {
        String[] f = fields.toArray(String[]::new);
        return write(link -> link.commands().hdel(key, f).toCompletableFuture(), Math::max);
    }

    @Override
    public CompletableFuture<Void> publish(String channel, String message) {
        return write(link -> link.commands().publish(channel, message).toCompletableFuture(), Math::max)
                .thenApply(n -> null);
    }

    @Override
    public CompletableFuture<Void> addScored(String index, Map<String, Double> memberScores) {
        if (memberScores.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        Object[] scoresAndMembers = new Object[memberScores.size() * 2];
        int i = 0;
        for (Map.Entry<String, Double> e : memberScores.entrySet()) {
            scoresAndMembers[i++] = e.getValue();
            scoresAndMembers[i++] = e.getKey();
        }
        return write(link -> link.commands().zadd(index, scoresAndMembers).toCompletableFuture(), Math::max)
                .thenApply(n -> null);
    }

    @Override
    public CompletableFuture<Void> removeScored(String index, Collection<String> members) {
        if (members.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        String[] m = members.toArray(String[]::new);
        return write(link -> link.commands().zrem(index, m).toCompletableFuture(), Math::max).thenApply(n -> null);
    }

    @Override
    public CompletableFuture<List<Object>> runScript(LuaScript script, String key, List<String> args) {
        String[] keys = {key};
        String[] values = args.toArray(String[]::new);
        return write(link -> this.<List<Object>>evalsha(link, script, keys, values).exceptionallyCompose(e -> {
            if (RedisErrors.isNoScript(e)) {
                return link.commands().<List<Object>>eval(script.source(), ScriptOutputType.MULTI, keys, values)
                        .toCompletableFuture();
            }
            return CompletableFuture.failedFuture(e);
        }), (a, b) -> a).exceptionallyCompose(e -> RedisErrors.isWrongType(e)
                ? CompletableFuture.failedFuture(new WrongTypeException(key, readLinkName()))
                : CompletableFuture.failedFuture(e));
    }

    private <T> CompletableFuture<T> evalsha(RedisLink link, LuaScript script, String[] keys, String[] values) {
        return link.commands().<T>evalsha(script.sha1(), ScriptOutputType.MULTI, keys, values).toCompletableFuture();
    }

    @Override
    public CompletableFuture<Boolean> tryLock(String key, String token, long ttlMillis) {
        return write(link -> link.commands().set(key, token, SetArgs.Builder.nx().px(ttlMillis)).toCompletableFuture()
                .thenApply("OK"::equals), Boolean::logicalOr);
    }

    @Override
    public CompletableFuture<Boolean> setIfAbsent(String key, String value) {
        return write(link -> link.commands().set(key, value, SetArgs.Builder.nx()).toCompletableFuture()
                .thenApply("OK"::equals), Boolean::logicalOr);
    }

    @Override
    public CompletableFuture<Void> writeValue(String key, String value, long ttlMillis) {
        SetArgs args = ttlMillis > 0 ? SetArgs.Builder.px(ttlMillis) : new SetArgs();
        return write(link -> link.commands().set(key, value, args).toCompletableFuture(), (a, b) -> a).thenApply(ok -> null);
    }

    @Override
    public CompletableFuture<Void> deleteKey(String key) {
        return write(link -> link.commands().del(key).toCompletableFuture(), Math::max).thenApply(n -> null);
    }

    /** Runs a read on the read link, translating failures. */
    protected <T> CompletableFuture<T> read(Function<RedisLink, CompletableFuture<T>> command) {
        RedisLink link;
        try {
            link = readLink();
            return command.apply(link).exceptionallyCompose(e -> failed(e, link.name()));
        } catch (RuntimeException e) {
            return failed(e, readLinkName());
        }
    }

    /**
     * Runs a write on every write link. It succeeds when at least one link took it (the others are
     * repopulated when they return); results of several links are combined.
     */
    protected <T> CompletableFuture<T> write(Function<RedisLink, CompletableFuture<T>> command, BinaryOperator<T> combine) {
        return onEach(writeLinks(), command, combine);
    }

    /** Runs a command on each link; succeeds if any link succeeded, with their results combined. */
    private <T> CompletableFuture<T> onEach(List<RedisLink> links, Function<RedisLink, CompletableFuture<T>> command,
            BinaryOperator<T> combine) {
        if (links.isEmpty()) {
            return CompletableFuture.failedFuture(new RedisAccessException("not connected to Redis at " + describe(), null));
        }
        List<CompletableFuture<T>> each = new ArrayList<>();
        for (RedisLink link : links) {
            CompletableFuture<T> f;
            try {
                f = command.apply(link).exceptionallyCompose(e -> failed(e, link.name()));
            } catch (RuntimeException e) {
                f = failed(e, link.name());
            }
            each.add(f);
        }
        if (each.size() == 1) {
            return each.get(0);
        }
        return CompletableFuture.allOf(each.toArray(CompletableFuture[]::new)).handle((ignored, error) -> {
            T result = null;
            boolean any = false;
            Throwable firstError = null;
            for (CompletableFuture<T> f : each) {
                if (f.isCompletedExceptionally()) {
                    firstError = firstError == null ? f.handle((v, e) -> e).join() : firstError;
                } else {
                    T v = f.join();
                    result = any ? combine.apply(result, v) : v;
                    any = true;
                }
            }
            if (!any) {
                throw new java.util.concurrent.CompletionException(RedisErrors.unwrap(firstError));
            }
            return result;
        });
    }

    private <T> CompletableFuture<T> failed(Throwable e, String node) {
        Throwable cause = RedisErrors.unwrap(e);
        if (RedisErrors.isWrongType(cause) || RedisErrors.isNoScript(cause)) {
            return CompletableFuture.failedFuture(cause); // callers handle these two themselves
        }
        return CompletableFuture.failedFuture(RedisErrors.translate(cause, node, settings));
    }

    private String readLinkName() {
        try {
            return readLink().name();
        } catch (RuntimeException e) {
            return describe();
        }
    }

    // ---- pub/sub -----------------------------------------------------------------------------

    @Override
    public CompletableFuture<Void> subscribe(Collection<String> channelNames) {
        List<String> added = addRefs(channels, channelNames);
        return forSubscribers(link -> link.pubSub().subscribe(added.toArray(String[]::new)).toCompletableFuture(),
                added.isEmpty());
    }

    @Override
    public CompletableFuture<Void> unsubscribe(Collection<String> channelNames) {
        List<String> removed = removeRefs(channels, channelNames);
        return forSubscribers(link -> link.pubSub().unsubscribe(removed.toArray(String[]::new)).toCompletableFuture(),
                removed.isEmpty());
    }

    @Override
    public CompletableFuture<Void> subscribePattern(String pattern) {
        List<String> added = addRefs(patterns, List.of(pattern));
        return forSubscribers(link -> link.pubSub().psubscribe(pattern).toCompletableFuture(), added.isEmpty());
    }

    @Override
    public CompletableFuture<Void> unsubscribePattern(String pattern) {
        List<String> removed = removeRefs(patterns, List.of(pattern));
        return forSubscribers(link -> link.pubSub().punsubscribe(pattern).toCompletableFuture(), removed.isEmpty());
    }

    /**
     * A channel the store itself listens on, for as long as it lives: subscribed whenever a link
     * (re)subscribes ({@link #restoreSubscriptions}), so nothing needs to be sent now.
     */
    protected void keepSubscribed(String channel) {
        ownChannels.add(channel);
    }

    private synchronized List<String> addRefs(Map<String, Integer> refs, Collection<String> names) {
        List<String> added = new ArrayList<>();
        for (String n : names) {
            if (refs.merge(n, 1, Integer::sum) == 1) {
                added.add(n);
            }
        }
        return added;
    }

    private synchronized List<String> removeRefs(Map<String, Integer> refs, Collection<String> names) {
        List<String> removed = new ArrayList<>();
        for (String n : names) {
            Integer left = refs.computeIfPresent(n, (k, v) -> v == 1 ? null : v - 1);
            if (left == null) {
                removed.add(n);
            }
        }
        return removed;
    }

    /**
     * Sends a (un)subscribe to every subscriber link. The reference counts above are the truth: a link
     * that is down now gets every subscription again when it returns ({@link #restoreSubscriptions}).
     */
    private CompletableFuture<Void> forSubscribers(Function<RedisLink, CompletableFuture<Void>> command, boolean nothingToDo) {
        if (nothingToDo) {
            return CompletableFuture.completedFuture(null);
        }
        return onEach(subscriberLinks(), command, (a, b) -> a);
    }

    /**
     * Subscribes a (re)connected link to every channel and pattern we hold. Redis ignores a SUBSCRIBE to a
     * channel already subscribed, so this is safe even where the client resubscribed by itself; and its
     * reply is proof that subscriptions are active before anything is re-read.
     */
    protected CompletableFuture<Void> restoreSubscriptions(RedisLink link) {
        String[] c;
        String[] p;
        synchronized (this) {
            c = channels.keySet().toArray(String[]::new);
            p = patterns.keySet().toArray(String[]::new);
        }
        List<CompletableFuture<Void>> steps = new ArrayList<>();
        try {
            if (c.length > 0) {
                steps.add(link.pubSub().subscribe(c).toCompletableFuture());
            }
            if (p.length > 0) {
                steps.add(link.pubSub().psubscribe(p).toCompletableFuture());
            }
            if (!ownChannels.isEmpty()) {
                steps.add(subscribeOwnChannels(link));
            }
            // PING answers after the subscriptions above: proof the link works even with nothing to restore.
            steps.add(link.pubSub().ping().toCompletableFuture().thenApply(pong -> null));
        } catch (RuntimeException e) {
            return failed(e, link.name());
        }
        return CompletableFuture.allOf(steps.toArray(CompletableFuture[]::new))
                .exceptionallyCompose(e -> failed(e, link.name()));
    }

    /**
     * The store's own channels, in a SUBSCRIBE of their own: Redis refuses a whole SUBSCRIBE for one channel
     * an ACL does not allow, and an ACL written before these channels existed must not cost the registry its
     * notifications. A refusal is reported once, with the fix.
     */
    private CompletableFuture<Void> subscribeOwnChannels(RedisLink link) {
        String[] own = ownChannels.toArray(String[]::new);
        return link.pubSub().subscribe(own).toCompletableFuture().exceptionallyCompose(e -> {
            if (!RedisErrors.mentions(e, "NOPERM")) {
                return CompletableFuture.failedFuture(e);
            }
            if (ownChannelsRefusalReported.compareAndSet(false, true)) {
                warning(link, "the Redis user may not subscribe to " + String.join(", ", own) + ", so this registry "
                        + "cannot hear operator requests such as 'dubbo-redis-cli failback'; allow the channels "
                        + "'&dubbo-redis:*' (see the ACL rule in the README)");
            }
            return CompletableFuture.completedFuture(null);
        });
    }

    /** Restores a link's subscriptions, then tells the listeners; retries with back-off until it works. */
    protected void restoreSubscriptionsThenNotify(RedisLink link, int attempt) {
        if (closed || !subscriberLinks().contains(link)) {
            return;
        }
        restoreSubscriptions(link).whenCompleteAsync((ok, e) -> {
            if (e == null) {
                fire(l -> l.onSubscriptionsRestored(link.name()));
            } else if (!closed) {
                executor.schedule(() -> restoreSubscriptionsThenNotify(link, attempt + 1), backoffMillis(attempt),
                        TimeUnit.MILLISECONDS);
            }
        }, executor);
    }

    /** Full-jitter exponential back-off, capped by {@code reconnect.period}. */
    protected long backoffMillis(int attempt) {
        long cap = settings.reconnectPeriod().toMillis();
        long ceiling = Math.min(cap, 100L << Math.min(attempt, 16));
        return 50 + ThreadLocalRandom.current().nextLong(Math.max(1, ceiling));
    }

    // ---- events from links --------------------------------------------------------------------

    @Override
    public void commandsConnected(RedisLink link, boolean reconnect) {
        if (reconnect) {
            executor.execute(() -> {
                if (writeLinks().contains(link)) {
                    fire(l -> l.onWritesRestored(link.name()));
                }
            });
        }
    }

    @Override
    public void pubSubConnected(RedisLink link, boolean reconnect) {
        if (reconnect) {
            executor.execute(() -> restoreSubscriptionsThenNotify(link, 0));
        }
    }

    @Override
    public void disconnected(RedisLink link, String cause) {
        executor.execute(() -> {
            boolean reportedToAnother = false;
            for (StoreListener l : listeners) {
                try {
                    l.onConnectionLost(link.name(), cause, reportedToAnother);
                    reportedToAnother = true;
                } catch (RuntimeException e) {
                    // a failing listener must not keep the event from the others
                }
            }
            linkLost(link);
        });
    }

    /** Topology hook, on the executor: a link stopped answering. */
    protected void linkLost(RedisLink link) {
    }

    @Override
    public void message(RedisLink link, String channel, String message) {
        executor.execute(() -> fire(l -> l.onMessage(channel, message)));
    }

    @Override
    public void patternMessage(RedisLink link, String pattern, String channel, String message) {
        executor.execute(() -> fire(l -> l.onPatternMessage(pattern, channel, message)));
    }

    @Override
    public void warning(RedisLink link, String message) {
        executor.execute(() -> {
            if (listeners.isEmpty()) {
                if (unheardWarnings.size() < 16) {
                    unheardWarnings.add(new String[] {link.name(), message});
                }
            } else {
                tellOne(l -> l.onWarning(link.name(), message));
            }
        });
    }

    /**
     * Tells one listener (the oldest) about something that concerns the shared connection rather than
     * any one registry, so that it is logged once, not once per registry sharing it.
     */
    private void tellOne(java.util.function.Consumer<StoreListener> event) {
        for (StoreListener l : listeners) {
            try {
                event.accept(l);
                return;
            } catch (RuntimeException e) {
                // try the next one
            }
        }
    }

    protected void fire(java.util.function.Consumer<StoreListener> event) {
        for (StoreListener l : listeners) {
            try {
                event.accept(l);
            } catch (RuntimeException e) {
                // A listener's failure must not stop the others; listeners log their own problems.
            }
        }
    }
}
