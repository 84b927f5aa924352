package io.github.dubboredis.redis;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import io.github.dubboredis.config.ConnectionSettings;

/**
 * The seed's {@code cluster=replicate}: independent Redis servers, no Redis replication. Every write
 * and publish goes to each server that answers; reads go to one of them, picked at random and kept
 * while it answers; subscriptions are held on all of them, so losing any server but one loses
 * neither data nor notifications. A server that returns (even empty) is written again in full.
 */
final class ReplicateStore extends AbstractRedisStore {

    private final List<RedisLink> links;
    private final boolean[] everConnected;
    private volatile RedisLink reader;

    ReplicateStore(ConnectionSettings settings, ScheduledExecutorService executor, int nodeCount, LinkFactory linkFactory) {
        super(settings, executor);
        List<RedisLink> created = new ArrayList<>();
        for (int i = 0; i < nodeCount; i++) {
            created.add(linkFactory.create(i, this));
        }
        this.links = List.copyOf(created);
        this.everConnected = new boolean[nodeCount];
    }

    @Override
    CompletableFuture<Void> start(boolean mustConnect) {
        List<CompletableFuture<Void>> each = new ArrayList<>();
        for (RedisLink link : links) {
            each.add(connect(link));
        }
        return CompletableFuture.allOf(each.toArray(CompletableFuture[]::new)).handle((ignored, anyError) -> {
            Throwable firstError = null;
            for (int i = 0; i < links.size(); i++) {
                if (each.get(i).isCompletedExceptionally()) {
                    firstError = firstError == null ? each.get(i).handle((v, e) -> e).join() : firstError;
                    int index = i;
                    executor.execute(() -> retryConnect(index, 1));
                } else {
                    synchronized (this) {
                        everConnected[i] = true;
                    }
                }
            }
            List<RedisLink> up = connected();
            if (up.isEmpty() && mustConnect) {
                throw new java.util.concurrent.CompletionException(RedisErrors.unwrap(firstError));
            }
            if (!up.isEmpty()) {
                reader = up.get(ThreadLocalRandom.current().nextInt(up.size()));
            }
            return null;
        });
    }

    private void retryConnect(int index, int attempt) {
        if (closed) {
            return;
        }
        executor.schedule(() -> connect(links.get(index)).whenCompleteAsync((ok, e) -> {
            if (e != null) {
                retryConnect(index, attempt + 1);
                return;
            }
            synchronized (this) {
                everConnected[index] = true;
            }
            RedisLink link = links.get(index);
            if (reader == null) {
                reader = link;
            }
            fire(l -> l.onWritesRestored(link.name()));
            restoreSubscriptionsThenNotify(link, 0);
        }, executor), backoffMillis(attempt), TimeUnit.MILLISECONDS);
    }

    private List<RedisLink> connected() {
        List<RedisLink> up = new ArrayList<>();
        for (RedisLink l : links) {
            if (l.isConnected()) {
                up.add(l);
            }
        }
        return up;
    }

    @Override
    protected List<RedisLink> writeLinks() {
        return connected();
    }

    @Override
    protected RedisLink readLink() {
        RedisLink r = reader;
        if (r != null && r.isConnected()) {
            return r;
        }
        List<RedisLink> up = connected();
        if (up.isEmpty()) {
            throw new RedisAccessException("no Redis node of " + describe() + " answers", null);
        }
        RedisLink next = up.get(ThreadLocalRandom.current().nextInt(up.size()));
        reader = next;
        // Another node may hold a slightly different picture: read everything again from the new one.
        executor.execute(() -> fire(l -> l.onSubscriptionsRestored(next.name())));
        return next;
    }

    @Override
    protected synchronized List<RedisLink> subscriberLinks() {
        List<RedisLink> result = new ArrayList<>();
        for (int i = 0; i < links.size(); i++) {
            if (everConnected[i]) {
                result.add(links.get(i));
            }
        }
        return result;
    }

    @Override
    public boolean isConnected() {
        return !connected().isEmpty();
    }

    @Override
    CompletableFuture<Void> closeLinks() {
        closed = true;
        return CompletableFuture.allOf(links.stream().map(RedisLink::closeAsync).toArray(CompletableFuture[]::new));
    }
}
