package io.github.dubboredis.internal.lettuce;

import java.net.SocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import io.github.dubboredis.config.ConnectionSettings;
import io.github.dubboredis.internal.store.RedisAccessException;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.pubsub.api.async.RedisPubSubAsyncCommands;
import io.lettuce.core.resource.ClientResources;

/** A {@link NodeLink} to one Redis server, or to the master a set of sentinels names. */
final class ServerLink implements NodeLink {

    /** Connection attempts while the client reports no reason for a failure (see {@link RedisErrors#lostHandshakeCause}). */
    private static final int ATTEMPTS_WHILE_THE_CAUSE_IS_LOST = 3;

    private final String name;
    private final RedisURI uri;
    /** The same URI without the user name: the older registry sent only the password (see connect()). */
    private final RedisURI passwordOnlyUri;
    /** The same URI without any credentials, to learn whether the default user needs a password. */
    private final RedisURI anonymousUri;
    private final ConnectionSettings settings;
    private final RedisClient client;
    private final Events events;
    private final java.util.concurrent.Executor executor;
    private final AtomicBoolean closed = new AtomicBoolean();

    private volatile StatefulRedisConnection<String, String> commandConnection;
    private volatile StatefulRedisPubSubConnection<String, String> pubSubConnection;
    private volatile boolean commandsUp;
    private volatile boolean pubSubUp;

    ServerLink(String name, RedisURI uri, RedisURI passwordOnlyUri, RedisURI anonymousUri, ConnectionSettings settings,
            ClientResources resources,
            ClientOptions options, Events events, java.util.concurrent.Executor executor) {
        this.name = name;
        this.executor = executor;
        this.uri = uri;
        this.passwordOnlyUri = passwordOnlyUri;
        this.anonymousUri = anonymousUri;
        this.settings = settings;
        this.events = events;
        this.client = RedisClient.create(resources, uri);
        this.client.setOptions(options);
        this.client.addListener(new StateListener());
    }

    @Override
    public String name() {
        return name;
    }

    /**
     * Opens both connections. If the server refuses a user name with its password, and it is a plain
     * {@code requirepass} server that takes the password alone, connects with the password alone and
     * says so: the older registry ignored the user name, so configurations written for it carry any.
     * Only if the default user really needs a password, though: one without a password (Redis's stock
     * setting when ACL users were merely added) accepts any, so falling back would let a wrong password
     * in, as an unrestricted user.
     */
    @Override
    public CompletableFuture<Void> connect() {
        return connect(uri).exceptionallyCompose(e -> {
            if (passwordOnlyUri == null || !(RedisErrors.unwrap(e) instanceof RedisAccessException.AuthenticationFailed)) {
                return CompletableFuture.failedFuture(e);
            }
            return defaultUserNeedsPassword().thenCompose(needsPassword -> needsPassword
                    ? connectWithPasswordAlone(e)
                    : CompletableFuture.failedFuture(e));
        });
    }

    /** True when Redis refuses a connection without credentials (a {@code requirepass} server). */
    private CompletableFuture<Boolean> defaultUserNeedsPassword() {
        return retryingIfTheCauseWasLost(() -> client.connectAsync(StringCodec.UTF8, anonymousUri).toCompletableFuture()
                .thenCompose(probe -> probe.async().ping().toCompletableFuture().whenComplete((pong, e) -> probe.closeAsync())))
                .handle((pong, e) -> e != null && RedisErrors.mentions(e, "NOAUTH"));
    }

    /** Runs a connection attempt, and again (a few times at most) while the client lost the reason it failed. */
    private static <T> CompletableFuture<T> retryingIfTheCauseWasLost(Supplier<CompletableFuture<T>> attempt) {
        return retryingIfTheCauseWasLost(attempt, ATTEMPTS_WHILE_THE_CAUSE_IS_LOST);
    }

    private static <T> CompletableFuture<T> retryingIfTheCauseWasLost(Supplier<CompletableFuture<T>> attempt, int attemptsLeft) {
        return attempt.get().exceptionallyCompose(e -> attemptsLeft > 1 && RedisErrors.lostHandshakeCause(e)
                ? retryingIfTheCauseWasLost(attempt, attemptsLeft - 1)
                : CompletableFuture.failedFuture(e));
    }

    private CompletableFuture<Void> connectWithPasswordAlone(Throwable refused) {
        return connect(passwordOnlyUri).handle((ok, failure) -> {
            if (failure != null) {
                throw new java.util.concurrent.CompletionException(RedisErrors.unwrap(refused));
            }
            events.warning(this, "Redis refused user '" + settings.username() + "' but took the password alone "
                    + "(the older Dubbo Redis registry ignored the user name): connected as the default user. "
                    + "Remove 'username' or set it to 'default' to silence this warning.");
            return null;
        });
    }

    private CompletableFuture<Void> connect(RedisURI target) {
        return retryingIfTheCauseWasLost(() -> connectBoth(target));
    }

    private CompletableFuture<Void> connectBoth(RedisURI target) {
        CompletableFuture<StatefulRedisConnection<String, String>> commands =
                client.connectAsync(StringCodec.UTF8, target).toCompletableFuture();
        CompletableFuture<StatefulRedisPubSubConnection<String, String>> pubSub =
                client.connectPubSubAsync(StringCodec.UTF8, target).toCompletableFuture();
        return CompletableFuture.allOf(commands, pubSub).handleAsync((ignored, failure) -> {
            if (failure != null) {
                commands.thenAccept(StatefulRedisConnection::closeAsync);
                pubSub.thenAccept(StatefulRedisPubSubConnection::closeAsync);
                throw RedisErrors.translate(failure, name, settings);
            }
            StatefulRedisPubSubConnection<String, String> ps = pubSub.join();
            ps.addListener(new PubSubForwarder(this, events));
            commandConnection = commands.join();
            pubSubConnection = ps;
            commandsUp = true;
            pubSubUp = true;
            if (closed.get()) {
                close();
            }
            return null;
        }, executor);
    }

    @Override
    public boolean isConnected() {
        StatefulRedisConnection<String, String> c = commandConnection;
        return c != null && commandsUp && c.isOpen();
    }

    @Override
    public RedisClusterAsyncCommands<String, String> commands() {
        StatefulRedisConnection<String, String> c = commandConnection;
        if (c == null) {
            throw new RedisAccessException("not connected to Redis at " + name, null);
        }
        return c.async();
    }

    @Override
    public RedisPubSubAsyncCommands<String, String> pubSub() {
        StatefulRedisPubSubConnection<String, String> c = pubSubConnection;
        if (c == null) {
            throw new RedisAccessException("not connected to Redis at " + name, null);
        }
        return c.async();
    }

    @Override
    public void close() {
        closeAsync();
    }

    @Override
    public CompletableFuture<Void> closeAsync() {
        closed.set(true);
        // Closes both connections too. Never blocks: close() may run on a client I/O thread.
        return client.shutdownAsync(0, 2, java.util.concurrent.TimeUnit.SECONDS);
    }

    @Override
    public String toString() {
        return name;
    }

    /** Tells reconnects from the first connect, and the command connection from the pub/sub one. */
    private final class StateListener implements RedisConnectionStateListener {
        @Override
        public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress address) {
            if (closed.get()) {
                return;
            }
            if (connection == commandConnection) {
                commandsUp = true;
                events.commandsConnected(ServerLink.this, true);
            } else if (connection == pubSubConnection) {
                pubSubUp = true;
                events.pubSubConnected(ServerLink.this, true);
            }
        }

        @Override
        public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
            if (closed.get()) {
                return;
            }
            boolean bothWereUp = commandsUp && pubSubUp;
            if (connection == commandConnection) {
                commandsUp = false;
            } else if (connection == pubSubConnection) {
                pubSubUp = false;
            } else {
                return;
            }
            if (bothWereUp) {
                // Once per outage of the node, however many of its connections drop.
                events.disconnected(ServerLink.this, "connection closed");
            }
        }
    }
}
