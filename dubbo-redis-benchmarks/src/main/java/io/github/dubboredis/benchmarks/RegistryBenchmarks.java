package io.github.dubboredis.benchmarks;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.github.dubboredis.legacy.bench.BenchKit;
import io.github.dubboredis.legacy.bench.RedisOps;
import io.github.dubboredis.legacy.bench.RegistryTarget;
import io.github.dubboredis.legacy.bench.Scenarios;
import io.github.dubboredis.testkit.ChildJvm;
import io.github.dubboredis.testkit.RedisServer;

/**
 * The registry benchmarks: this registry ({@code ours}), Dubbo 3.3's ZooKeeper registry ({@code zookeeper})
 * and Dubbo 2.7's Redis registry ({@code legacy}) through the same scenarios on one machine.
 *
 * <pre>
 * RegistryBenchmarks [latency|subscribe|register|renewal|churn ...] [--quick] [--registries ours,zookeeper,legacy]
 *                    [--deadline-s N] [--out results.json]
 * </pre>
 *
 * No scenario named: all of them. Servers: a redis-server for ours, another (same binary, same settings)
 * for the legacy registry, a ZooKeeper (Curator's TestingServer) in a JVM of its own. The legacy registry
 * runs in a child JVM with this JVM's options. Prints tables as it goes and a summary against the targets;
 * writes every figure to the JSON file.
 */
public final class RegistryBenchmarks {

    static final List<String> ALL_SCENARIOS = List.of("cycle", "latency", "subscribe", "register", "renewal", "churn", "fanout");
    static final List<String> ALL_TARGETS = List.of("ours", "zookeeper", "legacy");

    /** One scenario run with its parameters; the same for every registry. */
    record Run(String scenario, String label, Map<String, Object> params) {
        long timeoutMillis() {
            Object d = params.containsKey("deadline_ms") ? params.get("deadline_ms") : params.get("budget_ms");
            return (d == null ? 60_000 : ((Number) d).longValue()) + 120_000;
        }
    }

    private RegistryBenchmarks() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("bigkeys")) { // its own run: one Redis, huge keys, another client's PINGs
            BigKeyLatency.main(java.util.Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        Options o = Options.parse(args);
        long start = System.nanoTime();
        Map<String, Object> meta = meta(o);
        List<String> jvmArgs = ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("-Xm") || a.startsWith("-XX:") || a.startsWith("-Ddubbo."))
                .filter(a -> !a.contains("FlightRecord"))
                .toList();
        List<String> childArgs = new ArrayList<>(jvmArgs);
        childArgs.add("-XX:TieredStopAtLevel=4"); // ChildJvm's default (C1 only) would handicap the child
        // Options for the child JVMs alone (BENCH_CHILD_JVM_OPTS in bench.sh): a profile of the fan-out's subscribers.
        for (String a : System.getProperty("bench.child.opts", "").trim().split("\\s+")) {
            if (!a.isEmpty()) {
                childArgs.add(a);
            }
        }
        meta.put("jvm_args", jvmArgs);
        System.out.println("Registry benchmarks: " + meta.get("machine") + "; " + (o.quick ? "QUICK sizes" : "full sizes"));

        Map<String, Map<String, Map<String, Map<String, Object>>>> results = new LinkedHashMap<>();
        List<AutoCloseable> resources = new ArrayList<>();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> closeAll(resources)));
        try {
            RedisServer ourRedis = RedisServer.builder().config("maxclients 16000").build().start();
            resources.add(ourRedis);
            RedisServer legacyRedis = RedisServer.builder().config("maxclients 16000").build().start();
            resources.add(legacyRedis);
            Map<String, RegistryTarget> targets = new LinkedHashMap<>();
            Map<String, AgentRunner> agents = new LinkedHashMap<>(); // ours and zookeeper in a JVM of their own
            AgentRunner legacy = null;
            if (o.targets.contains("ours")) {
                RedisOps ops = new RedisOps(ourRedis.address());
                resources.add(ops);
                targets.put("ours", Dubbo3Target.ours(ourRedis.address(), ops));
                agents.put("ours", new AgentRunner("ours", System.getProperty("java.class.path"), childArgs,
                        Dubbo3Agent.class.getName(), List.of("ours", ourRedis.address(), "-1")));
            }
            if (o.targets.contains("zookeeper")) {
                // jute.maxbuffer 8 MB on the server and in the fan-out's client JVM: the default 1 MB caps a getChildren
                // reply, and 5,000 provider URLs of a service make 2 MB; a ZooKeeper that serves such a service is
                // configured so (the clients of the other scenarios read far less and keep the default).
                List<String> zkArgs = new ArrayList<>(List.of("-Xmx1g", "-XX:TieredStopAtLevel=4", "-Djute.maxbuffer=8388608",
                        "-Dzookeeper.4lw.commands.whitelist=*", "-Dzookeeper.admin.enableServer=false"));
                if (o.zkNoFsync) {
                    zkArgs.add("-Dzookeeper.forceSync=no");
                }
                ChildJvm zk = ChildJvm.start("zookeeper", System.getProperty("java.class.path"), zkArgs,
                        ZkServerMain.class.getName());
                resources.add(zk);
                // Stopped through its standard input, so that it deletes its data directory.
                resources.add(() -> zk.stopGracefully(Duration.ofSeconds(10)));
                String connect = zk.awaitLineStartingWith("ZK READY ", Duration.ofSeconds(60)).substring("ZK READY ".length());
                ZkOps ops = new ZkOps(connect);
                ops.serverPid(zk.pid());
                resources.add(ops);
                targets.put("zookeeper", Dubbo3Target.zookeeper(connect, ops));
                agents.put("zookeeper", new AgentRunner("zookeeper", System.getProperty("java.class.path"), childArgs,
                        Dubbo3Agent.class.getName(), List.of("zookeeper", connect, Long.toString(zk.pid()))));
            }
            if (o.targets.contains("legacy")) {
                String cp = System.getProperty("bench.legacy.classpath");
                if (cp == null || cp.isBlank()) {
                    throw new IllegalStateException("-Dbench.legacy.classpath is not set (bench.sh sets it)");
                }
                legacy = new AgentRunner(legacyRedis.address(), cp, childArgs);
            }
            Map<String, Object> servers = new LinkedHashMap<>();
            for (RegistryTarget t : targets.values()) {
                servers.put(t.name(), t.server().describe());
            }
            if (legacy != null) {
                try (RedisOps ops = new RedisOps(legacyRedis.address())) {
                    servers.put("legacy", ops.describe() + " (its own server, same binary and settings)");
                }
            }
            meta.put("servers", servers);
            System.out.println("Servers: " + servers);

            for (String scenario : o.scenarios) {
                List<Run> runs = Plans.runs(scenario, o);
                Map<String, Map<String, Map<String, Object>>> byLabel = new LinkedHashMap<>();
                for (Run r : runs) {
                    byLabel.put(r.label(), new LinkedHashMap<>());
                }
                results.put(scenario, byLabel);
                for (String name : ALL_TARGETS) {
                    if (!o.targets.contains(name)) {
                        continue;
                    }
                    List<Map<String, Object>> got;
                    if (IN_CHILD.contains(scenario)) {
                        AgentRunner agent = name.equals("legacy") ? legacy : agents.get(name);
                        List<String> agentArgs = withHeap(childArgs, o.childHeap);
                        if (name.equals("zookeeper")) {
                            agentArgs.add("-Djute.maxbuffer=8388608");
                        }
                        got = agent.withJvmArgs(agentArgs).run(runs);
                    } else if (name.equals("legacy")) {
                        got = legacy.run(runs);
                    } else {
                        got = new ArrayList<>();
                        RegistryTarget t = targets.get(name);
                        for (Run r : runs) {
                            Map<String, Object> res = Scenarios.run(r.scenario(), t, r.params());
                            progress(name, r, res);
                            got.add(res);
                        }
                    }
                    for (int i = 0; i < runs.size(); i++) {
                        byLabel.get(runs.get(i).label()).put(name, got.get(i));
                    }
                }
                if (scenario.equals("renewal") && o.targets.contains("ours")) {
                    Map<String, Object> probe;
                    try {
                        probe = RenewalRoundTrips.measure(ourRedis.address(), o.quick ? 10 : 100, o.quick ? 10 : 100, 20);
                    } catch (Exception e) {
                        probe = BenchKit.obj("error", BenchKit.describe(e));
                    }
                    System.err.println("[bench] ours: renewal round trips " + BenchKit.toJson(probe));
                    byLabel.put("round trips of one renewal", new LinkedHashMap<>(Map.of("ours", probe)));
                }
                System.out.println();
                System.out.print(Report.table(scenario, byLabel));
                System.out.flush();
            }
        } finally {
            closeAll(resources);
        }
        double wall = (System.nanoTime() - start) / 1e9;
        meta.put("wall_s", Math.round(wall * 10) / 10.0);
        meta.put("load_average_after", loadAverage());
        Map<String, Object> verdicts = Report.targets(results);
        System.out.println();
        System.out.print(Report.targetsText(verdicts));
        System.out.printf("%nWall time %.1f s. Results: %s%n", wall, o.out.toAbsolutePath().normalize());
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("meta", meta);
        doc.put("results", results);
        doc.put("targets", verdicts);
        doc.put("method", Report.method());
        Files.createDirectories(o.out.toAbsolutePath().getParent());
        Files.writeString(o.out, BenchKit.toPrettyJson(doc), StandardCharsets.UTF_8);
        System.exit(0);
    }

    /**
     * Scenarios that run in a child JVM for every registry: the fan-out holds thousands of providers in each of
     * hundreds of registry instances (several GB of heap), and its CPU figure is the child's, the subscribers' alone.
     */
    static final Set<String> IN_CHILD = Set.of("fanout");

    /** The JVM options with the heap limit replaced. */
    static List<String> withHeap(List<String> args, String heap) {
        List<String> out = new ArrayList<>();
        for (String a : args) {
            if (!a.startsWith("-Xmx")) {
                out.add(a);
            }
        }
        out.add("-Xmx" + heap);
        return out;
    }

    static void progress(String target, Run run, Map<String, Object> result) {
        System.err.println("[bench] " + target + ": " + run.scenario() + " " + run.label() + " -> " + BenchKit.toJson(result));
    }

    private static void closeAll(List<AutoCloseable> resources) {
        synchronized (resources) {
            for (int i = resources.size() - 1; i >= 0; i--) {
                try {
                    resources.get(i).close();
                } catch (Exception ignored) {
                    // best effort
                }
            }
            resources.clear();
        }
    }

    private static Map<String, Object> meta(Options o) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("started", Instant.now().toString());
        m.put("machine", Runtime.getRuntime().availableProcessors() + " cores, load average " + loadAverage()
                + " at start, Java " + System.getProperty("java.version")
                + ", network namespace " + System.getenv().getOrDefault("DUBBO_REDIS_NETNS", "host"));
        m.put("quick", o.quick);
        m.put("zookeeper_fsync", o.zkNoFsync ? "off (zookeeper.forceSync=no)" : "on (ZooKeeper's default: every write is"
                + " fsynced to its transaction log; the Redis servers run without persistence, as the test kit starts them)");
        m.put("revision", System.getProperty("bench.revision", "unknown"));
        m.put("scenarios", new ArrayList<>(o.scenarios));
        m.put("registries", new ArrayList<>(o.targets));
        m.put("versions", BenchKit.obj(
                "ours", "io.github.dubboredis:dubbo-redis-registry " + pkgVersion(io.github.dubboredis.dubbo.RedisRegistry.class)
                        + " on Dubbo " + pkgVersion(org.apache.dubbo.common.URL.class) + ", Lettuce "
                        + pkgVersion(io.lettuce.core.RedisClient.class),
                "zookeeper", "Dubbo " + pkgVersion(org.apache.dubbo.common.URL.class) + " zookeeper registry, Curator "
                        + pkgVersion(org.apache.curator.framework.CuratorFramework.class) + ", ZooKeeper client "
                        + org.apache.zookeeper.Version.getFullVersion().split("-")[0],
                "legacy", "Dubbo 2.7.23 dubbo-registry-redis, Jedis 3.7.0 (child JVM)"));
        return m;
    }

    private static String pkgVersion(Class<?> c) {
        String v = c.getPackage().getImplementationVersion();
        return v == null ? "(dev)" : v;
    }

    static String loadAverage() {
        try {
            String[] parts = Files.readString(Paths.get("/proc/loadavg")).trim().split("\\s+");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (IOException e) {
            return String.format("%.2f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        }
    }

    /** Command line. */
    static final class Options {
        final Set<String> scenarios = new LinkedHashSet<>();
        final Set<String> targets = new LinkedHashSet<>();
        boolean quick;
        /** ZooKeeper without an fsync of its transaction log per write (as the Redis servers here: no persistence). */
        boolean zkNoFsync;
        long deadlineSeconds = -1;
        /** The heap of the child JVMs that run the fan-out (its subscribers hold the service's providers each). */
        String childHeap = "10g";
        /** The fan-out's sizes when not the (5,000 providers, 500 subscribers), e.g. to fit a smaller machine. */
        int fanoutProviders = -1;
        int fanoutSubscribers = -1;
        Path out = Paths.get("dubbo-redis-benchmarks/target/benchmark-results.json");

        static Options parse(String[] args) {
            Options o = new Options();
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--quick" -> o.quick = true;
                    case "--zk-no-fsync" -> o.zkNoFsync = true;
                    case "--out" -> o.out = Paths.get(args[++i]);
                    case "--deadline-s" -> o.deadlineSeconds = Long.parseLong(args[++i]);
                    case "--child-heap" -> o.childHeap = args[++i];
                    case "--fanout-providers" -> o.fanoutProviders = Integer.parseInt(args[++i]);
                    case "--fanout-subscribers" -> o.fanoutSubscribers = Integer.parseInt(args[++i]);
                    case "--registries" -> {
                        for (String t : args[++i].split(",")) {
                            if (!ALL_TARGETS.contains(t)) {
                                throw new IllegalArgumentException("unknown registry '" + t + "'; known: " + ALL_TARGETS);
                            }
                            o.targets.add(t);
                        }
                    }
                    case "all" -> o.scenarios.addAll(ALL_SCENARIOS);
                    case "-h", "--help" -> {
                        System.out.println("usage: bench.sh [" + String.join("|", ALL_SCENARIOS) + " ...] [--quick] "
                                + "[--registries ours,zookeeper,legacy] [--deadline-s N] [--zk-no-fsync] [--out file.json] "
                                + "[--child-heap 10g] [--fanout-providers N] [--fanout-subscribers N]");
                        System.exit(0);
                    }
                    default -> {
                        if (a.equals("floor")) {
                            a = "latency";
                        }
                        if (!ALL_SCENARIOS.contains(a)) {
                            throw new IllegalArgumentException("unknown scenario '" + a + "'; known: " + ALL_SCENARIOS);
                        }
                        o.scenarios.add(a);
                    }
                }
            }
            if (o.scenarios.isEmpty()) {
                o.scenarios.addAll(ALL_SCENARIOS);
            }
            if (o.targets.isEmpty()) {
                o.targets.addAll(ALL_TARGETS);
            }
            return o;
        }
    }
}
