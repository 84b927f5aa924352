package io.github.dubboredis.internal.lettuce;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import io.github.dubboredis.config.ConnectionSettings;
import io.github.dubboredis.internal.concurrent.Scheduler;
import io.github.dubboredis.internal.store.RedisAccessException;

/**
 * One link at a time, from an ordered list of candidates: a single Redis server, a Sentinel-managed
 * master (one candidate; the client follows the master), or the seed's {@code cluster=failover} over
 * several servers. When the link in use stays down for longer than the connect timeout, the next
 * candidate that answers takes over; everything is then re-registered and re-read there. The store
 * does not move back by itself (a node that flaps would drag every registry along): only when the new
 * node fails too, or when an operator asks every registry at once ({@link #askToMoveBack}, the CLI's
 * {@code failback}) on the {@value #MOVE_BACK_CHANNEL} channel.
 */
final class ActiveLinkStore extends LettuceStore {

    /** Where the request to move back is published; under the prefix of our own keys (and ACL rule). */
    static final String MOVE_BACK_CHANNEL = "dubbo-redis:failover:move-back";
    /** Move-back requests are tried at most this often. */
    static final long MOVE_BACK_INTERVAL_MILLIS = 1000;

    private final List<String> candidateNames;
    private final LinkFactory linkFactory;
    /** Several plain nodes: there is somewhere to move back to, so the store listens for the request. */
    private final boolean canMoveBack;
    private volatile NodeLink active;
    private int activeIndex;
    private boolean switching;
    /** Scheduler thread only: when the last move back was tried, whether one waits for its turn, and what was folded. */
    private long lastMoveBackNanos = Long.MIN_VALUE;
    private boolean moveBackWaiting;
    private int requestsFolded;
    private long lastStayWarningNanos = Long.MIN_VALUE;

    ActiveLinkStore(ConnectionSettings settings, Scheduler scheduler, DeadLinkDetection deadLinks, List<String> candidateNames,
            LinkFactory linkFactory) {
        super(settings, scheduler, deadLinks);
        this.candidateNames = List.copyOf(candidateNames);
        this.linkFactory = linkFactory;
        this.canMoveBack = candidateNames.size() > 1;
        if (canMoveBack) {
            keepSubscribed(MOVE_BACK_CHANNEL);
        }
    }

    @Override
    CompletableFuture<Void> start(boolean mustConnect) {
        startHeartbeat();
        return connectFirstAnswering(0, candidateNames.size(), null).thenCompose(this::listenOnFirstLink).handle((ok, e) -> {
            if (e == null) {
                return null;
            }
            if (mustConnect) {
                throw new CompletionException(RedisErrors.unwrap(e));
            }
            scheduler.execute(() -> retryInitialConnect(1));
            return null;
        });
    }

    /**
     * The first link has none of the store's own subscriptions yet (a reconnect or a move restores them
     * with everything else). If this fails the link is going down, and its return restores them.
     */
    private CompletableFuture<Void> listenOnFirstLink(NodeLink link) {
        return canMoveBack ? restoreSubscriptions(link).exceptionally(e -> null) : CompletableFuture.completedFuture(null);
    }

    /**
     * Tries up to {@code count} candidates in order from {@code index}; the first that connects becomes
     * the active link.
     */
    private CompletableFuture<NodeLink> connectFirstAnswering(int index, int count, Throwable lastError) {
        if (closed) {
            return CompletableFuture.failedFuture(new RedisAccessException("closed", null));
        }
        if (count <= 0) {
            return CompletableFuture.failedFuture(lastError != null ? lastError
                    : new RedisAccessException("no other node of " + describe() + " answers", null));
        }
        int i = index % candidateNames.size();
        NodeLink link = linkFactory.create(i, this);
        return connect(link).thenApply(ok -> {
            synchronized (this) {
                activeIndex = i;
                active = link;
            }
            return link;
        }).exceptionallyCompose(e -> {
            link.close();
            return connectFirstAnswering(i + 1, count - 1, lastError == null ? e : lastError);
        });
    }

    /** With check=false and no Redis at start-up: keep trying, then restore what was asked meanwhile. */
    private void retryInitialConnect(int attempt) {
        if (closed || active != null) {
            return;
        }
        scheduler.schedule(() -> connectFirstAnswering(0, candidateNames.size(), null).whenCompleteAsync((link, e) -> {
            if (e == null) {
                becameActive(link);
            } else {
                retryInitialConnect(attempt + 1);
            }
        }, scheduler), backoffMillis(attempt));
    }

    private void becameActive(NodeLink link) {
        events.fireNow(l -> l.onWritesRestored(link.name()));
        restoreSubscriptionsThenNotify(link, 0);
    }

    @Override
    protected List<NodeLink> writeLinks() {
        NodeLink a = active;
        return a != null && a.isConnected() ? List.of(a) : List.of();
    }

    @Override
    protected NodeLink readLink() {
        NodeLink a = active;
        if (a == null) {
            throw new RedisAccessException("not connected to Redis at " + describe(), null);
        }
        return a;
    }

    @Override
    protected List<NodeLink> subscriberLinks() {
        NodeLink a = active;
        return a == null ? List.of() : List.of(a);
    }

    @Override
    public boolean isConnected() {
        NodeLink a = active;
        return a != null && a.isConnected();
    }

    @Override
    protected void linkLost(NodeLink link) {
        if (link != active || candidateNames.size() < 2) {
            return; // a single node (or sentinel master): the client reconnects, nothing to switch to
        }
        scheduler.schedule(() -> failOverIfStillDown(link, 0), settings.connectTimeout().toMillis());
    }

    private void failOverIfStillDown(NodeLink lost, int attempt) {
        synchronized (this) {
            if (closed || lost != active || lost.isConnected()) {
                return;
            }
            if (switching) {
                // A move back is under way (it may wait for a silent node up to the connect timeout). If it
                // fails, the lost link is still the active one: look again then rather than stay on it.
                scheduler.schedule(() -> failOverIfStillDown(lost, attempt), backoffMillis(attempt));
                return;
            }
            switching = true;
        }
        int from = activeIndex;
        connectFirstAnswering(from + 1, candidateNames.size() - 1, null).whenCompleteAsync((link, e) -> {
            synchronized (this) {
                switching = false;
            }
            if (e != null) {
                // Nobody else answers either: the client keeps reconnecting the old node; look again later.
                scheduler.schedule(() -> failOverIfStillDown(lost, attempt + 1), backoffMillis(attempt));
                return;
            }
            lost.close();
            becameActive(link);
        }, scheduler);
    }

    // ---- moving back when asked ---------------------------------------------------------------

    @Override
    public void message(NodeLink link, String channel, String message) {
        if (canMoveBack && MOVE_BACK_CHANNEL.equals(channel)) {
            scheduler.execute(() -> moveBackWhenDue(io.github.dubboredis.text.Printable.of(message, 100)));
        } else {
            super.message(link, channel, message);
        }
    }

    /**
     * Requests are answered at most once every {@link #MOVE_BACK_INTERVAL_MILLIS}: those that come sooner fold into
     * one attempt at the end of the interval, so that a flood on the channel (anyone who may publish there can cause
     * one) costs a connection attempt a second, not one per message. Scheduler thread.
     */
    private void moveBackWhenDue(String askedBy) {
        requestsFolded++;
        if (!moveBackWaiting) {
            tryMoveBack(askedBy);
        }
    }

    private void tryMoveBack(String askedBy) {
        long now = scheduler.nanoTime();
        long waitMillis = lastMoveBackNanos == Long.MIN_VALUE ? 0
                : MOVE_BACK_INTERVAL_MILLIS - (now - lastMoveBackNanos) / 1_000_000;
        if (waitMillis > 0) {
            moveBackWaiting = true;
            scheduler.schedule(() -> {
                moveBackWaiting = false;
                tryMoveBack(askedBy);
            }, waitMillis);
            return;
        }
        lastMoveBackNanos = now;
        int requests = requestsFolded;
        requestsFolded = 0;
        moveBack(askedBy, requests);
    }

    /**
     * Moves to the first node before the one in use that answers, as after a failover: everything is
     * written and read again there, and the data marker makes consumers hold their lists if that node
     * came back empty. Stays put if none answers (said at most once a minute while that goes on).
     */
    private void moveBack(String askedBy, int requests) {
        NodeLink from;
        int fromIndex;
        synchronized (this) {
            if (closed || switching || active == null || activeIndex == 0) {
                return;
            }
            switching = true;
            from = active;
            fromIndex = activeIndex;
        }
        connectFirstAnswering(0, fromIndex, null).whenCompleteAsync((link, e) -> {
            synchronized (this) {
                switching = false;
            }
            if (e != null) {
                long now = scheduler.nanoTime();
                if (lastStayWarningNanos == Long.MIN_VALUE || now - lastStayWarningNanos >= 60_000_000_000L) {
                    lastStayWarningNanos = now;
                    warning(from, "asked to move back (" + askedBy + (requests > 1 ? ", and " + (requests - 1)
                            + " more request(s) folded into this attempt" : "") + "), but no node before " + from.name()
                            + " answers: staying on it (requests are tried at most once a second, and this is said at "
                            + "most once a minute)");
                }
                return;
            }
            lastStayWarningNanos = Long.MIN_VALUE;
            warning(link, "moved back here from " + from.name() + " as asked (" + askedBy + ")");
            from.close();
            becameActive(link);
        }, scheduler);
    }

    @Override
    public CompletableFuture<List<NodeReply>> askToMoveBack(String askedBy) {
        if (!canMoveBack) {
            return super.askToMoveBack(askedBy);
        }
        List<CompletableFuture<NodeReply>> replies = new ArrayList<>();
        for (int i = 0; i < candidateNames.size(); i++) {
            replies.add(publishOnNode(i, MOVE_BACK_CHANNEL, askedBy));
        }
        return CompletableFuture.allOf(replies.toArray(CompletableFuture[]::new))
                .thenApply(ignored -> replies.stream().map(CompletableFuture::join).toList());
    }

    /** Publishes on one candidate: through the active link if it is that one, else over a link of its own. */
    private CompletableFuture<NodeReply> publishOnNode(int index, String channel, String message) {
        String node = candidateNames.get(index);
        NodeLink current;
        synchronized (this) {
            current = active != null && activeIndex == index ? active : null;
        }
        NodeLink link = current != null ? current : linkFactory.create(index, this);
        CompletableFuture<Void> ready = current != null ? CompletableFuture.completedFuture(null) : link.connect();
        return ready.thenCompose(ok -> link.commands().publish(channel, message).toCompletableFuture())
                .handle((heard, e) -> {
                    if (current == null) {
                        link.close();
                    }
                    if (e != null) {
                        return new NodeReply(node, 0, RedisErrors.translate(e, node, settings).getMessage());
                    }
                    // On the node in use, this store's own subscription is among those that heard it.
                    return new NodeReply(node, current != null ? Math.max(0, heard - 1) : heard, null);
                });
    }

    /** The node in use, for operators and tests. */
    @Override
    public String activeNode() {
        NodeLink a = active;
        return a == null ? null : a.name();
    }

    @Override
    CompletableFuture<Void> closeLinks() {
        NodeLink a = active;
        return a == null ? CompletableFuture.completedFuture(null) : a.closeAsync();
    }
}
