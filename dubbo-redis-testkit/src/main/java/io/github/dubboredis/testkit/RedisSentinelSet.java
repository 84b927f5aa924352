package io.github.dubboredis.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** A master, a replica and sentinels watching them, on loopback; the master can be killed to make them fail over. */
public final class RedisSentinelSet implements AutoCloseable {

    private final String masterName;
    private final RedisServer master;
    private final RedisServer replica;
    private final List<RedisServer> sentinels = new ArrayList<>();

    private RedisSentinelSet(String masterName, RedisServer master, RedisServer replica) {
        this.masterName = masterName;
        this.master = master;
        this.replica = replica;
    }

    public static RedisSentinelSet start(String masterName, int sentinelCount) {
        RedisServer master = RedisServer.startDefault();
        RedisServer replica = null;
        RedisSentinelSet set = null;
        try {
            replica = RedisServer.builder().config("replicaof " + master.host() + " " + master.port()).build().start();
            set = new RedisSentinelSet(masterName, master, replica);
            for (int i = 0; i < sentinelCount; i++) {
                set.sentinels.add(RedisServer.builder().sentinel()
                        .config("sentinel monitor " + masterName + " " + master.host() + " " + master.port() + " 2")
                        .config("sentinel down-after-milliseconds " + masterName + " 1000")
                        .config("sentinel failover-timeout " + masterName + " 5000")
                        .build().start());
            }
            RedisServer r = replica;
            try (RespClient c = r.client()) {
                RedisCluster.await(Duration.ofSeconds(20), () -> "up".equals(c.info("replication", "master_link_status")),
                        "replica in sync");
            }
            for (RedisServer sentinel : set.sentinels) {
                try (RespClient c = sentinel.client()) {
                    // INFO sentinel: master0:name=...,status=ok,address=...,slaves=1,sentinels=3
                    RedisCluster.await(Duration.ofSeconds(30), () -> {
                        String line = c.info("sentinel", "master0");
                        return line != null && line.contains("sentinels=" + sentinelCount) && line.contains("slaves=1");
                    }, "sentinels know each other and the replica");
                }
            }
            return set;
        } catch (RuntimeException e) {
            if (set != null) {
                set.close();
            } else {
                master.close();
                if (replica != null) {
                    replica.close();
                }
            }
            throw e;
        }
    }

    /** Kills the master and waits until the sentinels name the replica as master. */
    public void killMasterAndAwaitFailover(Duration timeout) {
        master.kill();
        try (RespClient c = sentinels.get(0).client()) {
            RedisCluster.await(timeout, () -> {
                Object addr = c.call("SENTINEL", "get-master-addr-by-name", masterName);
                return addr instanceof List<?> l && Integer.toString(replica.port()).equals(l.get(1));
            }, "sentinels promote the replica");
        }
        try (RespClient c = replica.client()) {
            RedisCluster.await(timeout, () -> "master".equals(c.info("replication", "role")), "replica becomes master");
        }
    }

    public String masterName() {
        return masterName;
    }

    public RedisServer master() {
        return master;
    }

    public RedisServer replica() {
        return replica;
    }

    public String firstSentinelAddress() {
        return sentinels.get(0).address();
    }

    public String otherSentinelAddresses() {
        return sentinels.stream().skip(1).map(RedisServer::address).collect(Collectors.joining(","));
    }

    @Override
    public void close() {
        for (RedisServer s : sentinels) {
            s.close();
        }
        replica.close();
        master.close();
    }
}
