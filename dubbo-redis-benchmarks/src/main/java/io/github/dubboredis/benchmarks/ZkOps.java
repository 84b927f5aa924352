package io.github.dubboredis.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.dubbo.common.URL;
import org.apache.zookeeper.AsyncCallback;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZKUtil;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;

import io.github.dubboredis.legacy.bench.ServerOps;

/**
 * The ZooKeeper server seen directly: a plain ZooKeeper client (its {@code exists} is the round trip; it
 * writes provider nodes where Dubbo's ZooKeeper registry keeps them and wipes them), and the {@code mntr}
 * four-letter word for the server's own figures.
 */
final class ZkOps implements ServerOps {

    private final String host;
    private final int port;
    private final ZooKeeper zk;

    ZkOps(String connectString) throws IOException, InterruptedException {
        int colon = connectString.lastIndexOf(':');
        this.host = connectString.substring(0, colon);
        this.port = Integer.parseInt(connectString.substring(colon + 1));
        CountDownLatch connected = new CountDownLatch(1);
        this.zk = new ZooKeeper(connectString, 30_000, event -> {
            if (event.getState() == org.apache.zookeeper.Watcher.Event.KeeperState.SyncConnected) {
                connected.countDown();
            }
        });
        if (!connected.await(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("no ZooKeeper session at " + connectString);
        }
    }

    @Override
    public String describe() {
        String version = mntr().getOrDefault("zk_version", "?");
        int dash = version.indexOf('-');
        return "ZooKeeper " + (dash > 0 ? version.substring(0, dash) : version) + " (curator-test TestingServer, own JVM) at "
                + host + ":" + port;
    }

    @Override
    public String roundTripName() {
        return "ZooKeeper exists";
    }

    @Override
    public void roundTrip() {
        try {
            zk.exists("/", false);
        } catch (KeeperException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Nodes where Dubbo's ZooKeeper registry keeps providers: /dubbo/{service}/providers/{encoded URL}. */
    @Override
    public void populate(Map<String, List<String>> providerUrlsByService) {
        List<String> paths = new ArrayList<>();
        paths.add("/dubbo");
        for (Map.Entry<String, List<String>> e : providerUrlsByService.entrySet()) {
            String service = "/dubbo/" + URL.encode(e.getKey());
            paths.add(service);
            paths.add(service + "/providers");
            for (String url : e.getValue()) {
                paths.add(service + "/providers/" + URL.encode(URL.valueOf(url).toFullString()));
            }
        }
        Semaphore window = new Semaphore(2000);
        CountDownLatch done = new CountDownLatch(paths.size());
        AtomicReference<KeeperException.Code> failure = new AtomicReference<>();
        AsyncCallback.StringCallback callback = (rc, path, ctx, name) -> {
            KeeperException.Code code = KeeperException.Code.get(rc);
            if (code != KeeperException.Code.OK && code != KeeperException.Code.NODEEXISTS) {
                failure.compareAndSet(null, code);
            }
            window.release();
            done.countDown();
        };
        try {
            // Asynchronous, at most 2000 outstanding; one session sends in order, so parents come before children.
            for (String path : paths) {
                window.acquire();
                zk.create(path, new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT, callback, null);
            }
            if (!done.await(120, TimeUnit.SECONDS)) {
                throw new IllegalStateException("ZooKeeper did not confirm " + paths.size() + " creates in 120 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        if (failure.get() != null) {
            throw new IllegalStateException("ZooKeeper refused a create: " + failure.get());
        }
    }

    @Override
    public void wipe() {
        try {
            if (zk.exists("/dubbo", false) != null) {
                ZKUtil.deleteRecursive(zk, "/dubbo", 1000);
            }
        } catch (KeeperException e) {
            throw new IllegalStateException("cannot wipe /dubbo: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The server's JVM, for its CPU time and the bytes it wrote ({@code /proc/<pid>/stat}, {@code /proc/<pid>/io}). */
    void serverPid(long pid) {
        this.serverPid = pid;
    }

    private volatile long serverPid = -1;

    /**
     * From {@code mntr}: live connections, approximate data size, packets received (requests and pings); from the
     * server process (Linux): its CPU time ({@code cpu_us}) and the bytes it wrote ({@code output_bytes}: to its
     * clients, and its transaction log, which is small beside the replies that matter here).
     */
    @Override
    public Map<String, Long> stats() {
        Map<String, String> m = mntr();
        Map<String, Long> s = new LinkedHashMap<>();
        s.put("connections", Long.parseLong(m.get("zk_num_alive_connections")));
        s.put("memory_bytes", Long.parseLong(m.get("zk_approximate_data_size")));
        s.put("packets_received", Long.parseLong(m.get("zk_packets_received")));
        s.put("znodes", Long.parseLong(m.get("zk_znode_count")));
        if (serverPid > 0) {
            try {
                String[] stat = Files.readString(Path.of("/proc/" + serverPid + "/stat")).split("\\) ", 2)[1].split(" ");
                // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the command name
                s.put("cpu_us", (Long.parseLong(stat[11]) + Long.parseLong(stat[12])) * 10_000L);
                for (String line : Files.readAllLines(Path.of("/proc/" + serverPid + "/io"))) {
                    if (line.startsWith("wchar:")) {
                        s.put("output_bytes", Long.parseLong(line.substring(6).trim()));
                    }
                }
            } catch (IOException | RuntimeException e) {
                // not Linux, or the process is gone: figures left out
            }
        }
        return s;
    }

    /** The size of a getChildren reply for the service's providers: header, count, and each name with its length. */
    @Override
    public long fullReadBytes(String service) {
        try {
            List<String> children = zk.getChildren("/dubbo/" + URL.encode(service) + "/providers", false);
            long n = 16 + 4 + 4;
            for (String c : children) {
                n += 4 + c.getBytes(StandardCharsets.UTF_8).length;
            }
            return n;
        } catch (KeeperException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    @Override
    public String memoryNote() {
        return "mntr zk_approximate_data_size: paths and data only, not the server's per-node overhead";
    }

    Map<String, String> mntr() {
        String text = fourLetterWord("mntr");
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            int tab = line.indexOf('\t');
            if (tab > 0) {
                m.put(line.substring(0, tab).trim(), line.substring(tab + 1).trim());
            }
        }
        if (!m.containsKey("zk_num_alive_connections")) {
            throw new IllegalStateException("mntr answered: " + text);
        }
        return m;
    }

    private String fourLetterWord(String word) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 5000);
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(word.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("ZooKeeper '" + word + "' failed", e);
        }
    }

    @Override
    public void close() {
        try {
            zk.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
