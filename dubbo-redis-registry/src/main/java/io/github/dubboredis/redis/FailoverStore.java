package io.github.dubboredis.redis;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.github.dubboredis.config.ConnectionSettings;

/**
 * One link at a time, from an ordered list of candidates: a single Redis server, a Sentinel-managed
 * master (one candidate; the client follows the master), or the seed's {@code cluster=failover} over
 * several servers. When the link in use stays down for longer than the connect timeout, the next
 * candidate that answers takes over; everything is then re-registered and re-read there. The store
 * does not move back by itself: only when the new node fails too.
 */
final class FailoverStore extends AbstractRedisStore {

    private final List<String> candidateNames;
    private final LinkFactory linkFactory;
    private volatile RedisLink active;
    private int activeIndex;
    private boolean switching;

    FailoverStore(ConnectionSettings settings, ScheduledExecutorService executor, List<String> candidateNames,
            LinkFactory linkFactory) {
        super(settings, executor);
        this.candidateNames = List.copyOf(candidateNames);
        this.linkFactory = linkFactory;
    }

    @Override
    CompletableFuture<Void> start(boolean mustConnect) {
        return connectFirstAnswering(0, 0, null).handle((link, e) -> {
            if (e == null) {
                return null;
            }
            if (mustConnect) {
                throw new java.util.concurrent.CompletionException(RedisErrors.unwrap(e));
            }
            executor.execute(() -> retryInitialConnect(1));
            return null;
        });
    }

    /** Tries candidates in order from {@code index}; the first that connects becomes the active link. */
    private CompletableFuture<RedisLink> connectFirstAnswering(int index, int tried, Throwable lastError) {
        if (closed) {
            return CompletableFuture.failedFuture(new RedisAccessException("closed", null));
        }
        if (tried >= candidateNames.size()) {
            return CompletableFuture.failedFuture(lastError != null ? lastError
                    : new RedisAccessException("no other node of " + describe() + " answers", null));
        }
        int i = index % candidateNames.size();
        RedisLink link = linkFactory.create(i, this);
        return connect(link).thenApply(ok -> {
            synchronized (this) {
                activeIndex = i;
                active = link;
            }
            return link;
        }).exceptionallyCompose(e -> {
            link.close();
            return connectFirstAnswering(i + 1, tried + 1, lastError == null ? e : lastError);
        });
    }

    /** With check=false and no Redis at start-up: keep trying, then restore what was asked meanwhile. */
    private void retryInitialConnect(int attempt) {
        if (closed || active != null) {
            return;
        }
        executor.schedule(() -> connectFirstAnswering(0, 0, null).whenCompleteAsync((link, e) -> {
            if (e == null) {
                becameActive(link);
            } else {
                retryInitialConnect(attempt + 1);
            }
        }, executor), backoffMillis(attempt), TimeUnit.MILLISECONDS);
    }

    private void becameActive(RedisLink link) {
        fire(l -> l.onWritesRestored(link.name()));
        restoreSubscriptionsThenNotify(link, 0);
    }

    @Override
    protected List<RedisLink> writeLinks() {
        RedisLink a = active;
        return a != null && a.isConnected() ? List.of(a) : List.of();
    }

    @Override
    protected RedisLink readLink() {
        RedisLink a = active;
        if (a == null) {
            throw new RedisAccessException("not connected to Redis at " + describe(), null);
        }
        return a;
    }

    @Override
    protected List<RedisLink> subscriberLinks() {
        RedisLink a = active;
        return a == null ? List.of() : List.of(a);
    }

    @Override
    public boolean isConnected() {
        RedisLink a = active;
        return a != null && a.isConnected();
    }

    @Override
    protected void linkLost(RedisLink link) {
        if (link != active || candidateNames.size() < 2) {
            return; // a single node (or sentinel master): the client reconnects, nothing to switch to
        }
        executor.schedule(() -> failOverIfStillDown(link, 0), settings.connectTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    private void failOverIfStillDown(RedisLink lost, int attempt) {
        synchronized (this) {
            if (closed || lost != active || lost.isConnected() || switching) {
                return;
            }
            switching = true;
        }
        int from = activeIndex;
        connectFirstAnswering(from + 1, 1, null).whenCompleteAsync((link, e) -> {
            synchronized (this) {
                switching = false;
            }
            if (e != null) {
                // Nobody else answers either: the client keeps reconnecting the old node; look again later.
                executor.schedule(() -> failOverIfStillDown(lost, attempt + 1), backoffMillis(attempt),
                        TimeUnit.MILLISECONDS);
                return;
            }
            lost.close();
            becameActive(link);
        }, executor);
    }

    /** The node in use, for operators and tests. */
    String activeNode() {
        RedisLink a = active;
        return a == null ? null : a.name();
    }

    @Override
    CompletableFuture<Void> closeLinks() {
        closed = true;
        RedisLink a = active;
        return a == null ? CompletableFuture.completedFuture(null) : a.closeAsync();
    }
}
