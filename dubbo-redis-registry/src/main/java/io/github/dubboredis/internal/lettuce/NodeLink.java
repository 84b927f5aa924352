package io.github.dubboredis.internal.lettuce;

import java.util.concurrent.CompletableFuture;

import io.github.dubboredis.internal.store.KeyPage;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.pubsub.api.async.RedisPubSubAsyncCommands;

/**
 * The two connections to one Redis endpoint (a server, a Sentinel-managed master, or a cluster): one
 * for commands, pipelined and shared by every registry, and one for pub/sub. The client reconnects
 * them by itself; the link reports each loss and each return to its {@link Events}.
 */
interface NodeLink extends AutoCloseable {

    /** Called on a Redis client thread: implementations hand off at once. */
    interface Events {
        void commandsConnected(NodeLink link, boolean reconnect);

        void pubSubConnected(NodeLink link, boolean reconnect);

        void disconnected(NodeLink link, String cause);

        void message(NodeLink link, String channel, String message);

        void patternMessage(NodeLink link, String pattern, String channel, String message);

        /** Something the operator should know, though the link works. */
        void warning(NodeLink link, String message);
    }

    /** A secret-free name for messages, e.g. {@code 127.0.0.1:6379}. */
    String name();

    /** Opens both connections; fails with a translated {@link RedisAccessException}. */
    CompletableFuture<Void> connect();

    boolean isConnected();

    RedisClusterAsyncCommands<String, String> commands();

    RedisPubSubAsyncCommands<String, String> pubSub();

    /**
     * One page of SCAN MATCH pattern; {@code from} is null for the first page, else the page's {@code next}. Never
     * blocks (a cluster walks its masters with connections it gets asynchronously).
     */
    default CompletableFuture<KeyPage> scan(String pattern, Object from, int count) {
        ScanCursor cursor = from == null ? ScanCursor.INITIAL
                : ScanCursor.of((String) from);
        return commands().scan(cursor, ScanArgs.Builder.matches(pattern).limit(count)).toCompletableFuture()
                .thenApply(c -> new KeyPage(c.getKeys(), c.isFinished() ? null : c.getCursor()));
    }

    /** Closes both connections and the client, without blocking. */
    @Override
    void close();

    /** As {@link #close()}, completing when the client has shut down. */
    CompletableFuture<Void> closeAsync();
}
