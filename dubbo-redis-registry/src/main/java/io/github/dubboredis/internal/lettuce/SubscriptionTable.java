package io.github.dubboredis.internal.lettuce;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * Which channels and patterns a store's registries listen to, counted per caller: a channel stays subscribed
 * while anyone holds it. The counts are the truth; a link that comes back gets all of them again
 * ({@link #restore}), since messages sent while it was away are lost.
 */
final class SubscriptionTable {

    /** Sends a (un)subscribe to every link that should carry it; succeeds if any link took it. */
    interface Sender {
        CompletableFuture<Void> toSubscribers(Function<NodeLink, CompletableFuture<Void>> command);
    }

    private final Map<String, Integer> channels = new HashMap<>();
    private final Map<String, Integer> patterns = new HashMap<>();
    /** Channels the store listens on itself, for its whole life (see {@link #keepSubscribed}). */
    private final Set<String> ownChannels = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean ownChannelsRefusalReported = new AtomicBoolean();

    CompletableFuture<Void> subscribe(Collection<String> names, Sender sender) {
        List<String> added = addRefs(channels, names);
        return added.isEmpty() ? done()
                : sender.toSubscribers(link -> link.pubSub().subscribe(added.toArray(String[]::new)).toCompletableFuture());
    }

    CompletableFuture<Void> unsubscribe(Collection<String> names, Sender sender) {
        List<String> removed = removeRefs(channels, names);
        return removed.isEmpty() ? done()
                : sender.toSubscribers(link -> link.pubSub().unsubscribe(removed.toArray(String[]::new)).toCompletableFuture());
    }

    CompletableFuture<Void> subscribePattern(String pattern, Sender sender) {
        return addRefs(patterns, List.of(pattern)).isEmpty() ? done()
                : sender.toSubscribers(link -> link.pubSub().psubscribe(pattern).toCompletableFuture());
    }

    CompletableFuture<Void> unsubscribePattern(String pattern, Sender sender) {
        return removeRefs(patterns, List.of(pattern)).isEmpty() ? done()
                : sender.toSubscribers(link -> link.pubSub().punsubscribe(pattern).toCompletableFuture());
    }

    /** A channel the store itself listens on for as long as it lives: subscribed whenever a link (re)subscribes. */
    void keepSubscribed(String channel) {
        ownChannels.add(channel);
    }

    /**
     * Subscribes a (re)connected link to every channel and pattern held. Redis ignores a SUBSCRIBE of a channel
     * already subscribed, so this is safe even where the client resubscribed by itself; and the final PING's
     * answer proves the subscriptions are active before anything is read again.
     *
     * @param warn told (once) when an ACL forbids the store's own channels
     */
    CompletableFuture<Void> restore(NodeLink link, java.util.function.Consumer<String> warn) {
        String[] c;
        String[] p;
        synchronized (this) {
            c = channels.keySet().toArray(String[]::new);
            p = patterns.keySet().toArray(String[]::new);
        }
        List<CompletableFuture<?>> steps = new ArrayList<>();
        // Keys' own channels before change channels, as when they were first subscribed (see Subscriptions).
        List<String> own = new ArrayList<>();
        List<String> records = new ArrayList<>();
        for (String name : c) {
            (name.startsWith("dubbo-redis:{") ? records : own).add(name);
        }
        if (!own.isEmpty()) {
            steps.add(link.pubSub().subscribe(own.toArray(String[]::new)).toCompletableFuture());
        }
        if (!records.isEmpty()) {
            // A refusal (an ACL without '&dubbo-redis:*') leaves those keys to whole reads, as at subscription.
            steps.add(link.pubSub().subscribe(records.toArray(String[]::new)).toCompletableFuture().exceptionally(e -> null));
        }
        if (p.length > 0) {
            steps.add(link.pubSub().psubscribe(p).toCompletableFuture());
        }
        if (!ownChannels.isEmpty()) {
            steps.add(subscribeOwnChannels(link, warn));
        }
        steps.add(link.pubSub().ping().toCompletableFuture());
        return CompletableFuture.allOf(steps.toArray(CompletableFuture[]::new));
    }

    /**
     * The store's own channels, in a SUBSCRIBE of their own: Redis refuses a whole SUBSCRIBE for one channel an
     * ACL does not allow, and an ACL written before these channels existed must not cost the registry its
     * notifications. A refusal is reported once, with the fix.
     */
    private CompletableFuture<Void> subscribeOwnChannels(NodeLink link, java.util.function.Consumer<String> warn) {
        String[] own = ownChannels.toArray(String[]::new);
        return link.pubSub().subscribe(own).toCompletableFuture().exceptionallyCompose(e -> {
            if (!RedisErrors.mentions(e, "NOPERM")) {
                return CompletableFuture.failedFuture(e);
            }
            if (ownChannelsRefusalReported.compareAndSet(false, true)) {
                warn.accept("the Redis user may not subscribe to " + String.join(", ", own) + ", so this registry "
                        + "cannot hear operator requests such as 'dubbo-redis-cli failback'; allow the channels "
                        + "'&dubbo-redis:*' (see the ACL rule in docs/hostile-input.md#acl)");
            }
            return CompletableFuture.completedFuture(null);
        });
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
            Integer held = refs.get(n);
            if (held == null) {
                continue;
            }
            if (held == 1) {
                refs.remove(n);
                removed.add(n);
            } else {
                refs.put(n, held - 1);
            }
        }
        return removed;
    }

    private static CompletableFuture<Void> done() {
        return CompletableFuture.completedFuture(null);
    }
}
