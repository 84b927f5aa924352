package io.github.dubboredis.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A real Redis Cluster on loopback, made with the cluster commands themselves (no redis-cli needed):
 * masters with slots spread evenly, each with replicas, one-second node timeout so failovers are quick.
 */
public final class RedisCluster implements AutoCloseable {

    private final List<RedisServer> masters = new ArrayList<>();
    private final List<RedisServer> replicas = new ArrayList<>();

    private RedisCluster() {
    }

    public static RedisCluster start(int masterCount, int replicasPerMaster) {
        RedisCluster cluster = new RedisCluster();
        try {
            for (int i = 0; i < masterCount * (1 + replicasPerMaster); i++) {
                RedisServer node = RedisServer.builder()
                        .config("cluster-enabled yes")
                        .config("cluster-config-file nodes.conf")
                        .config("cluster-node-timeout 1000")
                        // A replica may always take over (by default it refuses if its data looks old).
                        .config("cluster-replica-validity-factor 0")
                        .build().start();
                (i < masterCount ? cluster.masters : cluster.replicas).add(node);
            }
            cluster.assignSlots();
            cluster.meet();
            for (int r = 0; r < cluster.replicas.size(); r++) {
                RedisServer master = cluster.masters.get(r % masterCount);
                String masterId = id(master);
                try (RespClient c = cluster.replicas.get(r).client()) {
                    await(Duration.ofSeconds(20), () -> c.string("CLUSTER", "NODES").contains(masterId), "replica sees its master");
                    c.call("CLUSTER", "REPLICATE", masterId);
                }
            }
            for (RedisServer replica : cluster.replicas) {
                try (RespClient c = replica.client()) {
                    await(Duration.ofSeconds(30), () -> "up".equals(c.info("replication", "master_link_status")),
                            "replica " + replica + " in sync with its master");
                }
            }
            cluster.awaitHealthy(Duration.ofSeconds(30));
            return cluster;
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    private void assignSlots() {
        int n = masters.size();
        for (int i = 0; i < n; i++) {
            int from = i * 16384 / n;
            int to = (i + 1) * 16384 / n;
            List<String> args = new ArrayList<>(List.of("CLUSTER", "ADDSLOTS"));
            for (int slot = from; slot < to; slot++) {
                args.add(Integer.toString(slot));
            }
            try (RespClient c = masters.get(i).client()) {
                c.call(args.toArray(String[]::new));
            }
        }
    }

    private void meet() {
        try (RespClient first = masters.get(0).client()) {
            for (RedisServer node : nodes()) {
                if (node != masters.get(0)) {
                    first.call("CLUSTER", "MEET", node.host(), Integer.toString(node.port()));
                }
            }
        }
        for (RedisServer node : nodes()) {
            try (RespClient c = node.client()) {
                await(Duration.ofSeconds(20), () -> c.string("CLUSTER", "NODES").split("\n").length == nodes().size(),
                        "every node knows every other");
            }
        }
    }

    /** Waits until every running node says the cluster is ok and sees exactly one master per slot range. */
    public void awaitHealthy(Duration timeout) {
        for (RedisServer node : nodes()) {
            if (!node.isRunning()) {
                continue;
            }
            try (RespClient c = node.client()) {
                await(timeout, () -> c.string("CLUSTER", "INFO").contains("cluster_state:ok"), "cluster_state:ok on " + node);
            }
        }
    }

    /** Kills a master and waits until one of its replicas has taken over and the cluster is ok again. */
    public void killMasterAndAwaitFailover(int index, Duration timeout) {
        RedisServer victim = masters.get(index);
        String victimId = id(victim);
        RedisServer witness = masters.get((index + 1) % masters.size());
        String slots;
        try (RespClient c = witness.client()) {
            String line = c.string("CLUSTER", "NODES").lines().filter(l -> l.startsWith(victimId)).findFirst().orElseThrow();
            String[] fields = line.split(" ");
            slots = String.join(" ", java.util.Arrays.copyOfRange(fields, 8, fields.length));
        }
        victim.kill();
        try (RespClient c = witness.client()) {
            // Done when another node is master of the victim's slots.
            await(timeout, () -> c.string("CLUSTER", "NODES").lines().anyMatch(
                    l -> !l.startsWith(victimId) && l.contains("master") && !l.contains("fail") && l.endsWith(slots)),
                    "a replica of " + victim + " takes over slots " + slots);
        }
        awaitHealthy(timeout);
    }

    public List<RedisServer> masters() {
        return masters;
    }

    public List<RedisServer> nodes() {
        List<RedisServer> all = new ArrayList<>(masters);
        all.addAll(replicas);
        return all;
    }

    /** The first node's address, and the others as a comma-separated list: the registry's address and backup. */
    public String firstAddress() {
        return masters.get(0).address();
    }

    public String otherAddresses() {
        return nodes().stream().skip(1).map(RedisServer::address).collect(Collectors.joining(","));
    }

    private static String id(RedisServer node) {
        try (RespClient c = node.client()) {
            return c.string("CLUSTER", "MYID");
        }
    }

    static void await(Duration timeout, java.util.function.BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (condition.getAsBoolean()) {
                    return;
                }
            } catch (RuntimeException ignored) {
                // not yet
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException("timed out waiting: " + what);
    }

    @Override
    public void close() {
        for (RedisServer node : nodes()) {
            node.close();
        }
    }
}
