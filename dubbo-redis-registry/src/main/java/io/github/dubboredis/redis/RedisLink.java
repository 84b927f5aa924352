package io.github.dubboredis.redis;

import java.util.concurrent.CompletableFuture;

import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.pubsub.api.async.RedisPubSubAsyncCommands;

/**
 * The two connections to one Redis endpoint (a server, a Sentinel-managed master, or a cluster): one
 * for commands, pipelined and shared by every registry, and one for pub/sub. The client reconnects
 * them by itself; the link reports each loss and each return to its {@link Events}.
 */
interface RedisLink extends AutoCloseable {

    /** Called on a Redis client thread: implementations hand off at once. */
    interface Events {
        void commandsConnected(RedisLink link, boolean reconnect);

        void pubSubConnected(RedisLink link, boolean reconnect);

        void disconnected(RedisLink link, String cause);

        void message(RedisLink link, String channel, String message);

        void patternMessage(RedisLink link, String pattern, String channel, String message);

        /** Something the operator should know, though the link works. */
        void warning(RedisLink link, String message);
    }

    /** A secret-free name for messages, e.g. {@code 127.0.0.1:6379}. */
    String name();

    /** Opens both connections; fails with a translated {@link RedisAccessException}. */
    CompletableFuture<Void> connect();

    boolean isConnected();

    RedisClusterAsyncCommands<String, String> commands();

    RedisPubSubAsyncCommands<String, String> pubSub();

    /** Closes both connections and the client, without blocking. */
    @Override
    void close();

    /** As {@link #close()}, completing when the client has shut down. */
    CompletableFuture<Void> closeAsync();
}
