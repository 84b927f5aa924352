package io.github.dubboredis.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;

import io.github.dubboredis.redis.LuaScript;
import io.github.dubboredis.redis.RedisStore;
import io.github.dubboredis.registry.RegistryInspector;
import io.github.dubboredis.registry.RegistryInspector.Entry;
import io.github.dubboredis.registry.RegistryInspector.KeyReport;
import io.github.dubboredis.registry.RegistryInspector.State;
import picocli.CommandLine.Command;

/**
 * {@code doctor}: checks the Redis a registry uses and the data in it, each finding with a fix. Exits
 * with 1 when a problem (not only a warning) was found.
 */
@Command(name = "doctor", description = "Check the registry's Redis: version, eviction policy, persistence, replication, "
        + "ACL permissions, latency, garbage under the root, entries written with skewed clocks. Exit 1 on a problem.")
final class DoctorCommand extends SessionCommand {

    private static final int LATENCY_SAMPLES = 20;
    private static final LuaScript NOOP = new LuaScript("doctor-noop", "return {1}");

    /** One finding: how bad, which check, what, and the fix. */
    record Finding(String level, String check, String message, String fix) {
    }

    @Override
    int run(ConnectionOptions.Session session, PrintWriter out) throws Exception {
        List<Finding> findings = new ArrayList<>();
        RegistryInspector inspector = session.inspector();
        RedisStore store = inspector.store();
        checkServer(store, findings);
        checkPermissions(store, inspector, findings);
        checkLatency(store, findings);
        checkData(inspector, session.settings().session().toMillis(), findings);
        boolean problem = findings.stream().anyMatch(f -> f.level().equals("PROBLEM"));
        if (connection.json) {
            Map<String, Object> report = new LinkedHashMap<>();
            report.put("healthy", !problem);
            report.put("findings", findings.stream().map(f -> Map.of("level", f.level(), "check", f.check(),
                    "message", f.message(), "fix", f.fix())).toList());
            Output.json(out, report);
        } else {
            for (Finding f : findings) {
                out.printf("%-8s %-12s %s%n", f.level(), f.check(), f.message());
                if (!f.fix().isEmpty()) {
                    out.printf("%-8s %-12s fix: %s%n", "", "", f.fix());
                }
            }
            out.println(problem ? "problems found" : "no problems found");
            out.flush();
        }
        return problem ? RegistryCli.ATTENTION : RegistryCli.OK;
    }

    private static void checkServer(RedisStore store, List<Finding> findings) throws Exception {
        String server = store.info("server").get();
        String version = field(server, "redis_version");
        int[] v = Arrays.stream((version == null ? "0.0" : version).split("\\.")).limit(2).mapToInt(Integer::parseInt).toArray();
        if (v[0] < 6 || (v[0] == 6 && v[1] < 2)) {
            findings.add(new Finding("PROBLEM", "version", "Redis " + version + " is older than 6.2",
                    "upgrade to Redis 6.2 or later (ACL channels, multi-field HSET, Lua effects replication)"));
        } else {
            findings.add(new Finding("OK", "version", "Redis " + version, ""));
        }
        String policy = field(store.info("memory").get(), "maxmemory_policy");
        if (policy != null && policy.startsWith("allkeys")) {
            findings.add(new Finding("PROBLEM", "eviction", "maxmemory-policy is " + policy
                    + ": under memory pressure Redis may silently delete registrations",
                    "CONFIG SET maxmemory-policy noeviction (or a volatile-* policy; registry keys have no TTL)"));
        } else {
            findings.add(new Finding("OK", "eviction", "maxmemory-policy " + policy, ""));
        }
        try {
            // One parameter per CONFIG GET: Redis 6.2 refuses several in one.
            boolean aof = "yes".equalsIgnoreCase(store.configGet("appendonly").get().getOrDefault("appendonly", "no"));
            boolean rdb = !store.configGet("save").get().getOrDefault("save", "").isBlank();
            if (!aof && !rdb) {
                findings.add(new Finding("WARNING", "persistence", "no persistence (appendonly no, save \"\"): a restart "
                        + "loses every registration until owners register again", "enable AOF (appendonly yes) or RDB snapshots"));
            } else {
                findings.add(new Finding("OK", "persistence", (aof ? "AOF" : "") + (aof && rdb ? " and " : "") + (rdb ? "RDB" : ""), ""));
            }
        } catch (ExecutionException e) {
            findings.add(new Finding("WARNING", "persistence", "cannot read the persistence settings (CONFIG GET refused)",
                    "allow +config|get to the registry's user, or check appendonly/save by hand"));
        }
        String replication = store.info("replication").get();
        String role = field(replication, "role");
        if ("slave".equals(role) || "replica".equals(role)) {
            findings.add(new Finding("PROBLEM", "replication", "this node is a replica (read-only): registrations cannot be written",
                    "point the registry at the master, or use redis-client=sentinel"));
        } else if ("0".equals(field(replication, "connected_slaves"))) {
            findings.add(new Finding("WARNING", "replication", "a master without replicas: a single point of failure",
                    "add a replica with Sentinel, or use cluster=replicate over several servers"));
        } else {
            findings.add(new Finding("OK", "replication", role + " with " + field(replication, "connected_slaves") + " replica(s)", ""));
        }
    }

    /** Tries every kind of command the registry sends, on a scratch key of its own. */
    private static void checkPermissions(RedisStore store, RegistryInspector inspector, List<Finding> findings) {
        String key = io.github.dubboredis.registry.RegistryRoot.PRIVATE_PREFIX + inspector.root().root() + ":doctor";
        Map<String, java.util.function.Supplier<java.util.concurrent.CompletableFuture<?>>> probes = new LinkedHashMap<>();
        probes.put("HSET", () -> store.writeFields(key, Map.of("probe", "1")));
        probes.put("HGETALL", () -> store.readHash(key));
        probes.put("HDEL", () -> store.deleteFields(key, List.of("probe")));
        probes.put("PUBLISH", () -> store.publish(key, "doctor"));
        probes.put("EVAL/EVALSHA", () -> store.runScript(NOOP, key, List.of()));
        probes.put("ZADD/ZREM", () -> store.addScored(key + "-z", Map.of("probe", 1.0))
                .thenCompose(x -> store.removeScored(key + "-z", List.of("probe"))));
        probes.put("SCAN", () -> store.scanKeys(inspector.root().pattern()));
        probes.put("SET/GET/DEL", () -> store.writeValue(key + "-s", "1", 1000).thenCompose(x -> store.readValue(key + "-s"))
                .thenCompose(x -> store.deleteKey(key + "-s")));
        probes.put("TIME", store::serverTimeMillis);
        List<String> denied = new ArrayList<>();
        for (Map.Entry<String, java.util.function.Supplier<java.util.concurrent.CompletableFuture<?>>> p : probes.entrySet()) {
            try {
                p.getValue().get().get();
            } catch (Exception e) {
                denied.add(p.getKey() + " (" + rootMessage(e) + ")");
            }
        }
        if (denied.isEmpty()) {
            findings.add(new Finding("OK", "permissions", "every command the registry uses is allowed", ""));
        } else {
            findings.add(new Finding("PROBLEM", "permissions", "denied: " + String.join("; ", denied),
                    "grant the ACL rule in the README (section ACL) to the registry's user"));
        }
    }

    private static void checkLatency(RedisStore store, List<Finding> findings) throws Exception {
        long[] micros = new long[LATENCY_SAMPLES];
        for (int i = 0; i < LATENCY_SAMPLES; i++) {
            long start = System.nanoTime();
            store.ping().get();
            micros[i] = (System.nanoTime() - start) / 1000;
        }
        Arrays.sort(micros);
        String text = String.format("round trip median %.2f ms, max %.2f ms over %d PINGs", micros[LATENCY_SAMPLES / 2] / 1000.0,
                micros[LATENCY_SAMPLES - 1] / 1000.0, LATENCY_SAMPLES);
        findings.add(micros[LATENCY_SAMPLES / 2] > 10_000
                ? new Finding("WARNING", "latency", text, "put the registry's Redis closer to the applications")
                : new Finding("OK", "latency", text, ""));
    }

    private static void checkData(RegistryInspector inspector, long sessionMillis, List<Finding> findings) throws Exception {
        long now = inspector.redisNow().get();
        List<KeyReport> keys = new ArrayList<>(inspector.interfaceLevel().get());
        keys.addAll(inspector.applicationLevel().get());
        int dead = 0;
        for (KeyReport k : keys) {
            if (k.problem() != null) {
                findings.add(new Finding("PROBLEM", "garbage", "key '" + k.redisKey() + "': " + k.problem(),
                        "remove it (DEL) or move it out of the registry root: older registries fail on it"));
                continue;
            }
            for (Entry e : k.entries()) {
                if (e.state() == State.UNREADABLE) {
                    findings.add(new Finding("PROBLEM", "garbage", "key '" + k.redisKey() + "' field '" + e.field() + "': " + e.problem(),
                            "HDEL the field; older registries cannot read the whole key because of it"));
                } else if (e.state() == State.DEAD) {
                    dead++;
                } else if (e.dynamic() && e.millisLeft(now) > sessionMillis * 2) {
                    findings.add(new Finding("WARNING", "clock skew", "key '" + k.redisKey() + "' entry of " + Output.address(e.field())
                            + " expires in " + e.millisLeft(now) / 1000 + " s, far beyond a session (" + sessionMillis / 1000
                            + " s): written by an older registry whose clock runs ahead, or with a longer session",
                            "synchronise that host's clock (NTP); registries of this kind stamp expiries on Redis's clock"));
                }
            }
        }
        findings.add(dead == 0 ? new Finding("OK", "expired", "no expired entries left behind", "")
                : new Finding("WARNING", "expired", dead + " expired entr" + (dead == 1 ? "y" : "ies") + " not yet reaped",
                        "they go within a sweep period if a registry runs; or run: dubbo-redis reap"));
    }

    private static String field(String info, String name) {
        for (String line : info.split("\r?\n")) {
            if (line.startsWith(name + ":")) {
                return line.substring(name.length() + 1).trim();
            }
        }
        return null;
    }

    private static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null) {
            c = c.getCause();
        }
        return c.getMessage();
    }
}
