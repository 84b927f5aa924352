package io.github.dubboredis.internal.lettuce;

import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.github.dubboredis.config.ConnectionSettings;
import io.github.dubboredis.config.RedisNodeAddress;
import io.github.dubboredis.internal.store.KeyPage;
import io.github.dubboredis.internal.store.RedisAccessException;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.cluster.pubsub.StatefulRedisClusterPubSubConnection;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.api.async.RedisPubSubAsyncCommands;
import io.lettuce.core.resource.ClientResources;

/**
 * A {@link NodeLink} to a Redis Cluster, from its seed nodes. The client follows MOVED and ASK
 * redirections and refreshes the topology on them, on reconnects and every few seconds, so keys spread
 * over slots and failovers are followed. Pub/sub works from any node: Redis Cluster forwards every
 * PUBLISH to all of them, and the client resubscribes on another node if its node goes away.
 */
final class RedisClusterLink implements NodeLink {

    private static final Duration TOPOLOGY_REFRESH = Duration.ofSeconds(5);
    private static final int REQUEST_QUEUE_SIZE = 10_000;

    private final String name;
    private final ConnectionSettings settings;
    private final RedisClusterClient client;
    private final Events events;
    private final Executor executor;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile StatefulRedisClusterConnection<String, String> commandConnection;
    private volatile StatefulRedisClusterPubSubConnection<String, String> pubSubConnection;
    private volatile boolean up;

    RedisClusterLink(ConnectionSettings settings, ClientResources resources, ClientOptions base, Events events, Executor executor) {
        this.name = "cluster " + settings.nodes();
        this.settings = settings;
        this.events = events;
        this.executor = executor;
        List<RedisURI> seeds = new ArrayList<>();
        for (RedisNodeAddress node : settings.nodes()) {
            seeds.add(ClientSettings.server(settings, node, ClientSettings.Credentials.USER_AND_PASSWORD));
        }
        this.client = RedisClusterClient.create(resources, seeds);
        this.client.setOptions(ClusterClientOptions.builder(base)
                // Node connections are made on demand: a command must be able to wait for its node's
                // connection (bounded by the command timeout and the queue size) instead of being refused.
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.ACCEPT_COMMANDS)
                .requestQueueSize(REQUEST_QUEUE_SIZE)
                .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                        .enableAllAdaptiveRefreshTriggers()
                        // A node that does not come back after two attempts has probably failed over.
                        .refreshTriggersReconnectAttempts(2)
                        .enablePeriodicRefresh(TOPOLOGY_REFRESH)
                        .build())
                .build());
        this.client.addListener(new StateListener());
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public CompletableFuture<Void> connect() {
        // The topology first (from any seed that answers): both connections are made from it.
        CompletableFuture<Void> topology = client.refreshPartitionsAsync().toCompletableFuture();
        CompletableFuture<StatefulRedisClusterConnection<String, String>> commands =
                topology.thenCompose(ignored -> client.connectAsync(StringCodec.UTF8).toCompletableFuture());
        CompletableFuture<StatefulRedisClusterPubSubConnection<String, String>> pubSub =
                topology.thenCompose(ignored -> client.connectPubSubAsync(StringCodec.UTF8).toCompletableFuture());
        return CompletableFuture.allOf(commands, pubSub).handleAsync((ignored, failure) -> {
            if (failure != null) {
                client.shutdownAsync(0, 2, TimeUnit.SECONDS);
                throw RedisErrors.translate(failure, name, settings);
            }
            StatefulRedisClusterPubSubConnection<String, String> ps = pubSub.join();
            ps.addListener(new PubSubForwarder(this, events));
            commandConnection = commands.join();
            pubSubConnection = ps;
            up = true;
            if (closed.get()) {
                close();
            }
            return null;
        }, executor);
    }

    /**
     * Connected once the cluster connection exists: it talks to every node on its own and reconnects
     * each, so one node being away fails only the commands for its slots, not the whole link.
     */
    @Override
    public boolean isConnected() {
        return commandConnection != null && !closed.get();
    }

    @Override
    public RedisClusterAsyncCommands<String, String> commands() {
        StatefulRedisClusterConnection<String, String> c = commandConnection;
        if (c == null) {
            throw new RedisAccessException("not connected to Redis " + name, null);
        }
        return c.async();
    }

    @Override
    public RedisPubSubAsyncCommands<String, String> pubSub() {
        StatefulRedisClusterPubSubConnection<String, String> c = pubSubConnection;
        if (c == null) {
            throw new RedisAccessException("not connected to Redis " + name, null);
        }
        return c.async();
    }

    /** Where a scan of the whole cluster is: the masters when it started, the one it is on, and its cursor there. */
    private record ClusterCursor(List<String> nodeIds, int index, String nodeCursor) {
    }

    /**
     * Scans master after master, each with its own SCAN cursor, on node connections obtained asynchronously:
     * Lettuce's own cluster SCAN takes them synchronously, which blocks (and, on an I/O thread, deadlocks) while
     * a node is being connected.
     */
    @Override
    public CompletableFuture<KeyPage> scan(String pattern, Object from, int count) {
        StatefulRedisClusterConnection<String, String> c = commandConnection;
        if (c == null) {
            return CompletableFuture.failedFuture(new RedisAccessException("not connected to Redis " + name, null));
        }
        ClusterCursor at = from instanceof ClusterCursor cc ? cc : new ClusterCursor(masters(c), 0, "0");
        if (at.index() >= at.nodeIds().size()) {
            return CompletableFuture.completedFuture(new KeyPage(List.of(), null));
        }
        String nodeId = at.nodeIds().get(at.index());
        return c.getConnectionAsync(nodeId)
                .thenCompose(node -> node.async().scan(ScanCursor.of(at.nodeCursor()),
                        ScanArgs.Builder.matches(pattern).limit(count)).toCompletableFuture())
                .thenApply(page -> {
                    ClusterCursor next = page.isFinished() ? new ClusterCursor(at.nodeIds(), at.index() + 1, "0")
                            : new ClusterCursor(at.nodeIds(), at.index(), page.getCursor());
                    boolean done = next.index() >= next.nodeIds().size();
                    return new KeyPage(page.getKeys(), done ? null : next);
                });
    }

    private static List<String> masters(StatefulRedisClusterConnection<String, String> c) {
        List<String> ids = new ArrayList<>();
        for (RedisClusterNode node : c.getPartitions()) {
            if (node.is(RedisClusterNode.NodeFlag.UPSTREAM)) {
                ids.add(node.getNodeId());
            }
        }
        return ids;
    }

    @Override
    public void close() {
        closeAsync();
    }

    @Override
    public CompletableFuture<Void> closeAsync() {
        closed.set(true);
        return client.shutdownAsync(0, 2, TimeUnit.SECONDS);
    }

    @Override
    public String toString() {
        return name;
    }

    /**
     * Only the pub/sub connection's comings and goings matter here. The cluster client also connects to
     * every node for commands and for each topology refresh, reconnecting them by itself; a write refused
     * during a failover is made good by the next renewal (which also rewrites what an asynchronous
     * replica may have lost) and a missed read by the next anti-entropy pass.
     */
    private final class StateListener implements RedisConnectionStateListener {
        @Override
        public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress address) {
            if (!closed.get() && connection == pubSubConnection) {
                up = true;
                events.pubSubConnected(RedisClusterLink.this, true);
            }
        }

        @Override
        public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
            if (!closed.get() && connection == pubSubConnection && up) {
                up = false;
                events.disconnected(RedisClusterLink.this, "the pub/sub connection closed");
            }
        }
    }
}
