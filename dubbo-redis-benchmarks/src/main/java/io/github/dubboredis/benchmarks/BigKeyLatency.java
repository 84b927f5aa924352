package io.github.dubboredis.benchmarks;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import org.HdrHistogram.Histogram;
import org.apache.dubbo.common.URL;
import org.apache.dubbo.registry.ListenerRegistryWrapper;
import org.apache.dubbo.registry.Registry;
import org.apache.dubbo.registry.RegistryFactory;
import org.apache.dubbo.rpc.model.ApplicationModel;
import org.apache.dubbo.rpc.model.FrameworkModel;

import io.github.dubboredis.config.RedisRegistrySettings;
import io.github.dubboredis.config.RegistryAddress;
import io.github.dubboredis.config.SettingsParser;
import io.github.dubboredis.dubbo.RedisRegistry;
import io.github.dubboredis.inspect.OperatorSession;
import io.github.dubboredis.inspect.RegistryInspector;
import io.github.dubboredis.internal.engine.RegistryEngine;
import io.github.dubboredis.internal.lettuce.LettuceRuntime;
import io.github.dubboredis.internal.model.Keyspace;
import io.github.dubboredis.internal.report.RegistryObserver;
import io.github.dubboredis.legacy.bench.BenchKit;
import io.github.dubboredis.testkit.ChildJvm;
import io.github.dubboredis.testkit.RedisServer;
import io.github.dubboredis.testkit.RespClient;

/**
 * {@code ./bench.sh bigkeys [--quick] [--sizes 1000000,2000000]}: what the registry's work next to huge hashes costs
 * everyone else on the same Redis. For each size, four hashes of that many entries sit under the root (live, long
 * expired, garbage values, and a dead owner's), and another client (a JVM of its own, so that no pause of this one
 * counts) PINGs every half millisecond. Phases, in one run on one Redis: nothing but the data (the baseline), then
 * registries reading the keys (a consumer refusing them over {@code key.max-entries}, the CLI counting one whole
 * page by page, and, for sizes up to 1,000,000, a registry with the limit raised reading one whole), reaping the dead
 * owner's entries, and sweeping the root. Each phase: the worst PING, its 99.9th and 99th percentiles, and the
 * longest command of the registry in Redis's slow log. Target: worst PING at most 20 ms.
 */
public final class BigKeyLatency {

    private static final String ROOT = "/dubbo/";
    private static final String FILL = ""
            + "for i = tonumber(ARGV[1]), tonumber(ARGV[2]) do\n"
            + "  redis.call('HSET', KEYS[1], string.format(ARGV[3], i), ARGV[4])\n"
            + "end\n"
            + "return redis.call('HLEN', KEYS[1])\n";
    private static final long TARGET_MILLIS = 20;

    private final RedisServer redis;
    private final ChildJvm probe;
    private final RespClient raw;
    private final List<Map<String, Object>> rows = new ArrayList<>();

    private BigKeyLatency(RedisServer redis, ChildJvm probe, RespClient raw) {
        this.redis = redis;
        this.probe = probe;
        this.raw = raw;
    }

    public static void main(String[] args) throws Exception {
        List<Integer> sizes = new ArrayList<>(List.of(1_000_000, 2_000_000));
        Path out = Paths.get("dubbo-redis-benchmarks/target/bigkeys-results.json");
        long idleMillis = 5000;
        boolean priority = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> {
                    sizes = List.of(150_000, 300_000); // above key.max-entries (100,000), like the full sizes
                    idleMillis = 2000;
                }
                case "--sizes" -> {
                    sizes = new ArrayList<>();
                    for (String s : args[++i].split(",")) {
                        sizes.add(Integer.parseInt(s.trim()));
                    }
                }
                case "--out" -> out = Paths.get(args[++i]);
                case "--priority" -> priority = true;
                default -> throw new IllegalArgumentException("usage: bench.sh bigkeys [--quick] [--sizes N,M] [--priority] "
                        + "[--out file.json]");
            }
        }
        long start = System.nanoTime();
        try (RedisServer redis = RedisServer.builder().build().start();
                ChildJvm probe = ChildJvm.start("ping-probe", System.getProperty("java.class.path"), List.of("-Xmx64m"),
                        PingProbe.class.getName(), redis.host(), Integer.toString(redis.port()));
                RespClient raw = redis.client()) {
            probe.awaitLineStartingWith("PROBE READY", Duration.ofSeconds(60));
            raw.call("CLIENT", "SETNAME", "bench-writer");
            String redisPid = raw.info("server", "process_id");
            if (priority) {
                // On a shared machine: Redis and the probing client each as if on a host of their own (needs root).
                renice(redisPid);
                renice(Long.toString(probe.pid()));
            }
            System.out.println("Big keys next to the registry: redis-server " + redis.binary().version() + ", "
                    + Runtime.getRuntime().availableProcessors() + " cores, load average " + RegistryBenchmarks.loadAverage()
                    + (priority ? "; Redis and the probe reniced to -10" : ""));
            BigKeyLatency bench = new BigKeyLatency(redis, probe, raw);
            for (int size : sizes) {
                bench.runSize(size, idleMillis);
            }
            bench.print();
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("redis", redis.binary().version());
            doc.put("cores", Runtime.getRuntime().availableProcessors());
            doc.put("load_average_after", RegistryBenchmarks.loadAverage());
            doc.put("target_worst_ping_ms", TARGET_MILLIS);
            doc.put("redis_and_probe_reniced", priority);
            doc.put("rows", bench.rows);
            Files.createDirectories(out.toAbsolutePath().getParent());
            Files.writeString(out, BenchKit.toPrettyJson(doc), StandardCharsets.UTF_8);
            System.out.printf("%nWall time %.1f s. Results: %s%n", (System.nanoTime() - start) / 1e9, out.toAbsolutePath().normalize());
        }
        System.exit(0);
    }

    private void runSize(int size, long idleMillis) throws Exception {
        raw.call("FLUSHALL");
        String live = ROOT + "com.bench.Live" + size + "/providers";
        String expired = ROOT + "com.bench.Expired" + size + "/providers";
        String garbage = ROOT + "com.bench.Garbage" + size + "/providers";
        String dead = ROOT + "com.bench.Dead" + size + "/providers";
        long now = redisNow();
        String leaseExpiry = Long.toString(now - 1000);
        Keyspace keyspace = new Keyspace(ROOT);
        String owner = "benchDeadOwnerOfHugeKeys";
        System.err.printf("[bench] bigkeys: writing 4 x %,d entries%n", size);
        fill(live, size, "dubbo://10.1.%d:20880/com.bench.Live" + size + "?interface=com.bench.Live" + size,
                Long.toString(now + 86_400_000));
        fill(expired, size, "dubbo://10.2.%d:20880/com.bench.Expired" + size + "?interface=com.bench.Expired" + size, "1000");
        fill(garbage, size, "dubbo://10.3.%d:20880/com.bench.Garbage" + size + "?interface=com.bench.Garbage" + size,
                "not-an-expiry");
        fill(dead, size, "dubbo://10.4.%d:20880/com.bench.Dead" + size + "?interface=com.bench.Dead" + size, leaseExpiry);
        System.err.printf("[bench] bigkeys: Redis holds %s; load average %s%n", info("memory", "used_memory_human"),
                RegistryBenchmarks.loadAverage());

        phase(size, "baseline: the data, no registry", () -> {
            TimeUnit.MILLISECONDS.sleep(idleMillis);
            return "idle " + idleMillis + " ms";
        });
        FrameworkModel framework = new FrameworkModel();
        try {
            ApplicationModel app = framework.newApplication();
            RedisRegistry consumer = registry(app, "session=600000&application=consumer");
            phase(size, "consumer subscribes to the 4 keys (refused: key.max-entries)", () -> {
                for (String k : List.of(live, expired, garbage, dead)) {
                    String service = k.substring(ROOT.length(), k.lastIndexOf('/'));
                    consumer.subscribe(URL.valueOf("consumer://10.0.0.9/" + service + "?interface=" + service
                            + "&category=providers").setScopeModel(app), urls -> { });
                }
                return "4 keys, each refused after its first page";
            });
            phase(size, "CLI counts the live key whole, page by page", () -> {
                RedisRegistrySettings settings = settings("key.max-entries=" + (size * 2));
                try (OperatorSession session = OperatorSession.open(settings, "bench-cli")) {
                    RegistryInspector.KeyReport report = session.inspector().read(live, 0).get();
                    return report.live() + " live entries counted";
                }
            });
            if (size <= 1_000_000) {
                phase(size, "registry (key.max-entries raised) reads the live key whole", () -> {
                    RedisRegistrySettings settings = settings("session=600000&key.max-entries=" + (size * 2));
                    try (LettuceRuntime runtime = new LettuceRuntime("bench-reader");
                            RegistryEngine engine = RegistryEngine.open(settings, runtime.acquire(settings.connection(), true),
                                    RegistryObserver.NONE)) {
                        int n = engine.subscriptions().readNow(List.of(engine.keyspace().key("com.bench.Live" + size,
                                "providers"))).get().values().iterator().next().size();
                        return n + " entries read";
                    }
                });
            }
            consumer.destroy();
            // A registry of its own for the jobs, opened right before them: its reap timer (every 5 s) must not have
            // done the phase's work already; its long session keeps its sweep timer out of the way.
            RedisRegistry registry = registry(framework.newApplication(), "session=600000&application=jobs");
            // The dead owner's lease, only now: any registry that ran before would have reaped it already.
            raw.call("ZADD", keyspace.ownersKey(), leaseExpiry, owner);
            raw.call("SADD", keyspace.ownerKeysKey(owner), dead);
            phase(size, "registry reaps a dead owner's entries", () ->
                    registry.engine().maintenance().reapNow().get() + " entries removed");
            phase(size, "registry sweeps the root (live, expired, garbage)", () ->
                    registry.engine().maintenance().sweepNow().get() + " expired entries removed");
            registry.destroy();
        } finally {
            framework.destroy();
        }
    }

    private RedisRegistry registry(ApplicationModel app, String query) {
        URL url = URL.valueOf("redis://" + redis.address() + "?file-cache=false&" + query).setScopeModel(app);
        Registry r = app.getExtensionLoader(RegistryFactory.class).getExtension("redis").getRegistry(url);
        return (RedisRegistry) (r instanceof ListenerRegistryWrapper w ? w.getRegistry() : r);
    }

    private RedisRegistrySettings settings(String query) {
        URL url = URL.valueOf("redis://" + redis.address() + "?" + query);
        return SettingsParser.parse(new RegistryAddress(url.getHost(), url.getPort(), null, null, url.getParameters()));
    }

    /** Runs one phase while the probe PINGs, and records what the probe and the slow log saw meanwhile. */
    private void phase(int size, String name, Callable<String> work) throws Exception {
        raw.call("CONFIG", "SET", "slowlog-max-len", "100000");
        raw.call("CONFIG", "SET", "slowlog-log-slower-than", "1000");
        raw.call("SLOWLOG", "RESET");
        long from = System.currentTimeMillis();
        double cpu0 = redisCpuSeconds();
        long t0 = System.nanoTime();
        String what = work.call();
        long wall = (System.nanoTime() - t0) / 1_000_000;
        double cpu = redisCpuSeconds() - cpu0;
        long to = System.currentTimeMillis();
        // The window in which the phase ended must have been printed.
        probe.awaitLine(l -> l.startsWith("W ") && Long.parseLong(l.split(" ")[1]) > to + PingProbe.WINDOW_MILLIS,
                Duration.ofSeconds(60));
        Histogram h = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
        for (String line : probe.lines()) {
            if (!line.startsWith("W ")) {
                continue;
            }
            String[] parts = line.split(" ");
            long end = Long.parseLong(parts[1]);
            if (end > from && end <= to + PingProbe.WINDOW_MILLIS) {
                h.add(Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(Base64.getDecoder().decode(parts[2])), 0));
            }
        }
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("size", size);
        row.put("phase", name);
        row.put("did", what);
        row.put("wall_ms", wall);
        row.put("redis_cpu_pct", Math.round(cpu * 1000 / Math.max(1, wall) * 1000) / 10.0);
        row.put("pings", h.getTotalCount());
        row.put("worst_ping_ms", h.getMaxValue() / 1000.0);
        row.put("p999_ping_ms", h.getValueAtPercentile(99.9) / 1000.0);
        row.put("p99_ping_ms", h.getValueAtPercentile(99) / 1000.0);
        row.put("longest_registry_command_ms", longestRegistryCommandMicros() / 1000.0);
        rows.add(row);
        System.err.println("[bench] bigkeys: " + BenchKit.toJson(row));
    }

    /** The longest command the slow log kept, other than this benchmark's own and the probe's. */
    private long longestRegistryCommandMicros() {
        long longest = 0;
        String what = "";
        for (Object o : (List<?>) raw.call("SLOWLOG", "GET", "100000")) {
            List<?> e = (List<?>) o;
            String client = e.size() > 5 ? String.valueOf(e.get(5)) : "";
            if (!client.equals("bench-writer") && !client.equals("ping-probe") && (Long) e.get(2) > longest) {
                longest = (Long) e.get(2);
                List<?> args = (List<?>) e.get(3);
                what = args.subList(0, Math.min(2, args.size())) + " (" + client + ")";
            }
        }
        if (longest > 0) {
            System.err.printf("[bench] bigkeys:   longest registry command %.1f ms: %s%n", longest / 1000.0, what);
        }
        return longest;
    }

    private void print() {
        System.out.println();
        System.out.printf("%-10s %-62s %8s %6s %8s %8s %8s %7s %8s%n", "ENTRIES", "PHASE", "WALL s", "REDIS", "WORST", "P99.9",
                "P99", "PINGS", "LONGEST");
        System.out.printf("%-10s %-62s %8s %6s %8s %8s %8s %7s %8s%n", "per key", "", "", "CPU %", "PING ms", "ms", "ms", "",
                "cmd ms");
        double worstOfRegistry = 0;
        double worstBaseline = 0;
        for (Map<String, Object> r : rows) {
            double worst = (Double) r.get("worst_ping_ms");
            if (((String) r.get("phase")).startsWith("baseline")) {
                worstBaseline = Math.max(worstBaseline, worst);
            } else {
                worstOfRegistry = Math.max(worstOfRegistry, worst);
            }
            System.out.printf("%-10s %-62s %8.1f %6.0f %8.1f %8.2f %8.2f %7d %8.1f%n", String.format("%,d", (Integer) r.get("size")),
                    r.get("phase"), ((Long) r.get("wall_ms")) / 1000.0, r.get("redis_cpu_pct"), worst, r.get("p999_ping_ms"),
                    r.get("p99_ping_ms"), r.get("pings"), r.get("longest_registry_command_ms"));
        }
        System.out.printf("%nWorst PING while registries read, reaped and swept: %.1f ms (baseline, same run: %.1f ms); "
                + "target at most %d ms: %s%n", worstOfRegistry, worstBaseline, TARGET_MILLIS,
                worstOfRegistry <= TARGET_MILLIS ? "met" : "NOT met");
    }

    private void fill(String key, int size, String fieldFormat, String value) {
        for (int from = 0; from < size; from += 20_000) {
            raw.call("EVAL", FILL, "1", key, Integer.toString(from), Integer.toString(Math.min(size, from + 20_000) - 1),
                    fieldFormat, value);
        }
    }

    private static void renice(String pid) throws Exception {
        Process p = new ProcessBuilder("renice", "-n", "-10", "-p", pid).redirectErrorStream(true).start();
        String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("--priority needs renice as root: " + said);
        }
    }

    /** CPU time Redis has used (user and system), in seconds. */
    private double redisCpuSeconds() {
        return Double.parseDouble(info("cpu", "used_cpu_user")) + Double.parseDouble(info("cpu", "used_cpu_sys"));
    }

    private long redisNow() {
        List<?> t = (List<?>) raw.call("TIME");
        return Long.parseLong((String) t.get(0)) * 1000 + Long.parseLong((String) t.get(1)) / 1000;
    }

    private String info(String section, String field) {
        return raw.info(section, field);
    }
}
