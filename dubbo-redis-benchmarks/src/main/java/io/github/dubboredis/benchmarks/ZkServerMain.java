package io.github.dubboredis.benchmarks;

import java.util.Map;

import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;

/**
 * A standalone ZooKeeper server (Curator's TestingServer) in a JVM of its own, as redis-server runs in a
 * process of its own: {@code ZkServerMain}. Prints {@code ZK READY host:port}; stops when its standard input
 * closes. No limit on connections per client address (the benchmark opens hundreds of sessions from
 * 127.0.0.1); four-letter words allowed (the benchmark reads {@code mntr}).
 */
public final class ZkServerMain {

    private ZkServerMain() {
    }

    public static void main(String[] args) throws Exception {
        InstanceSpec spec = new InstanceSpec(null, -1, -1, -1, true, -1, 2000, 0,
                Map.of("4lw.commands.whitelist", "*", "maxClientCnxns", "0"));
        try (TestingServer server = new TestingServer(spec, true)) {
            System.out.println("ZK READY " + server.getConnectString());
            System.out.flush();
            while (System.in.read() >= 0) {
                // until the benchmark closes our standard input (or dies)
            }
        }
        System.exit(0);
    }
}
