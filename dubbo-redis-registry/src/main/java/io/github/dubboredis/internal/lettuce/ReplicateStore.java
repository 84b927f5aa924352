package io.github.dubboredis.internal.lettuce;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;

import io.github.dubboredis.config.ConnectionSettings;
import io.github.dubboredis.internal.concurrent.Scheduler;
import io.github.dubboredis.internal.store.RedisAccessException;

/**
 * The seed's {@code cluster=replicate}: independent Redis servers, no Redis replication. Every write
 * and publish goes to each server that answers; reads go to one of them, picked at random and kept
 * while it answers; subscriptions are held on all of them, so losing any server but one loses
 * neither data nor notifications. A server that returns (even empty) is written again in full.
 */
final class ReplicateStore extends LettuceStore {

    private final List<NodeLink> links;
    private final boolean[] everConnected;
    private volatile NodeLink reader;

    ReplicateStore(ConnectionSettings settings, Scheduler scheduler, DeadLinkDetection deadLinks, int nodeCount, LinkFactory linkFactory) {
        super(settings, scheduler, deadLinks);
        List<NodeLink> created = new ArrayList<>();
        for (int i = 0; i < nodeCount; i++) {
            created.add(linkFactory.create(i, this));
        }
        this.links = List.copyOf(created);
        this.everConnected = new boolean[nodeCount];
    }

    /** Each node has its own change sequence, and a subscriber hears all of them: records cannot be relied on. */
    @Override
    public boolean changeRecordsUsable() {
        return false;
    }

    @Override
    CompletableFuture<Void> start(boolean mustConnect) {
        startHeartbeat();
        List<CompletableFuture<Void>> each = new ArrayList<>();
        for (NodeLink link : links) {
            each.add(connect(link));
        }
        return CompletableFuture.allOf(each.toArray(CompletableFuture[]::new)).handle((ignored, anyError) -> {
            Throwable firstError = null;
            for (int i = 0; i < links.size(); i++) {
                if (each.get(i).isCompletedExceptionally()) {
                    firstError = firstError == null ? each.get(i).handle((v, e) -> e).join() : firstError;
                    int index = i;
                    scheduler.execute(() -> retryConnect(index, 1));
                } else {
                    synchronized (this) {
                        everConnected[i] = true;
                    }
                }
            }
            List<NodeLink> up = connected();
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
        scheduler.schedule(() -> connect(links.get(index)).whenCompleteAsync((ok, e) -> {
            if (e != null) {
                retryConnect(index, attempt + 1);
                return;
            }
            synchronized (this) {
                everConnected[index] = true;
            }
            NodeLink link = links.get(index);
            if (reader == null) {
                reader = link;
            }
            events.fireNow(l -> l.onWritesRestored(link.name()));
            restoreSubscriptionsThenNotify(link, 0);
        }, scheduler), backoffMillis(attempt));
    }

    private List<NodeLink> connected() {
        List<NodeLink> up = new ArrayList<>();
        for (NodeLink l : links) {
            if (l.isConnected()) {
                up.add(l);
            }
        }
        return up;
    }

    @Override
    protected List<NodeLink> writeLinks() {
        return connected();
    }

    @Override
    protected NodeLink readLink() {
        NodeLink r = reader;
        if (r != null && r.isConnected()) {
            return r;
        }
        List<NodeLink> up = connected();
        if (up.isEmpty()) {
            throw new RedisAccessException("no Redis node of " + describe() + " answers", null);
        }
        NodeLink next = up.get(ThreadLocalRandom.current().nextInt(up.size()));
        reader = next;
        // Another node may hold a slightly different picture: read everything again from the new one.
        scheduler.execute(() -> events.fireNow(l -> l.onSubscriptionsRestored(next.name())));
        return next;
    }

    @Override
    protected synchronized List<NodeLink> subscriberLinks() {
        List<NodeLink> result = new ArrayList<>();
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
        return CompletableFuture.allOf(links.stream().map(NodeLink::closeAsync).toArray(CompletableFuture[]::new));
    }
}
