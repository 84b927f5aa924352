package io.github.dubboredis.inspect;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;

import io.github.dubboredis.config.RedisRegistrySettings;
import io.github.dubboredis.inspect.RegistryInspector.EntryReport;
import io.github.dubboredis.inspect.RegistryInspector.KeyReport;
import io.github.dubboredis.inspect.RegistryInspector.State;
import io.github.dubboredis.internal.model.CategoryKey;
import io.github.dubboredis.internal.model.Keyspace;
import io.github.dubboredis.internal.store.Lease;
import io.github.dubboredis.internal.store.RegistryStore;

/**
 * Checks the Redis a registry uses and the data in it, each finding with its fix: version, eviction policy,
 * persistence, replication, the commands the registry needs (tried for real, on scratch keys of its own),
 * how its server-side steps run, latency, and the data (garbage, keys too large to read, dead entries,
 * entries stamped with a clock far ahead, lease records someone edited). Work is bounded as the inspector's.
 */
public final class Doctor {

    private static final int LATENCY_SAMPLES = 20;

    private final RegistryStore store;
    private final Keyspace keyspace;
    private final RegistryInspector inspector;
    private final RedisRegistrySettings settings;

    Doctor(RegistryStore store, Keyspace keyspace, RegistryInspector inspector, RedisRegistrySettings settings) {
        this.store = store;
        this.keyspace = keyspace;
        this.inspector = inspector;
        this.settings = settings;
    }

    public List<Finding> examine() throws InterruptedException {
        List<Finding> findings = new ArrayList<>();
        try {
            checkServer(findings);
            checkPermissions(findings);
            checkLatency(findings);
            checkData(findings);
            checkLeases(findings);
        } catch (ExecutionException e) {
            findings.add(Finding.problem("redis", "a check failed: " + rootMessage(e), "see the message; run the doctor again"));
        }
        return findings;
    }

    /** Whether any finding is a problem (not only a warning). */
    public static boolean healthy(List<Finding> findings) {
        return findings.stream().noneMatch(f -> f.level() == Finding.Level.PROBLEM);
    }

    private void checkServer(List<Finding> findings) throws ExecutionException, InterruptedException {
        String version = field(store.info("server").get(), "redis_version");
        int[] v = Arrays.stream((version == null ? "0.0" : version).split("\\.")).limit(2).mapToInt(Doctor::number).toArray();
        if (v[0] < 6 || (v[0] == 6 && v.length > 1 && v[1] < 2)) {
            findings.add(Finding.problem("version", "Redis " + version + " is older than 6.2",
                    "upgrade to Redis 6.2 or later (ACL channels, multi-field HSET, Lua effects replication)"));
        } else {
            findings.add(Finding.ok("version", "Redis " + version));
        }
        String policy = field(store.info("memory").get(), "maxmemory_policy");
        if (policy != null && policy.startsWith("allkeys")) {
            findings.add(Finding.problem("eviction", "maxmemory-policy is " + policy
                    + ": under memory pressure Redis may silently delete registrations",
                    "CONFIG SET maxmemory-policy noeviction (or a volatile-* policy; registry keys have no TTL)"));
        } else {
            findings.add(Finding.ok("eviction", "maxmemory-policy " + policy));
        }
        try {
            // One parameter per CONFIG GET: Redis 6.2 refuses several in one.
            boolean aof = "yes".equalsIgnoreCase(String.valueOf(store.configGet("appendonly").get()));
            String save = store.configGet("save").get();
            boolean rdb = save != null && !save.isBlank();
            if (!aof && !rdb) {
                findings.add(Finding.warning("persistence", "no persistence (appendonly no, save \"\"): a restart loses "
                        + "every registration until owners register again", "enable AOF (appendonly yes) or RDB snapshots"));
            } else {
                findings.add(Finding.ok("persistence", (aof ? "AOF" : "") + (aof && rdb ? " and " : "") + (rdb ? "RDB" : "")));
            }
        } catch (ExecutionException e) {
            findings.add(Finding.warning("persistence", "could not check the persistence settings (" + rootMessage(e) + ")",
                    "allow +config|get to this user, or check appendonly/save by hand"));
        }
        String replication = store.info("replication").get();
        String role = field(replication, "role");
        if ("slave".equals(role) || "replica".equals(role)) {
            findings.add(Finding.problem("replication", "this node is a replica (read-only): registrations cannot be written",
                    "point the registry at the master, or use redis-client=sentinel"));
        } else if ("0".equals(field(replication, "connected_slaves"))) {
            findings.add(Finding.warning("replication", "a master without replicas: a single point of failure",
                    "add a replica with Sentinel, or use cluster=replicate over several servers"));
        } else {
            findings.add(Finding.ok("replication", role + " with " + field(replication, "connected_slaves") + " replica(s)"));
        }
    }

    /** Tries every kind of operation the registry does, on scratch keys of its own under its private prefix. */
    private void checkPermissions(List<Finding> findings) {
        CategoryKey scratch = keyspace.anyKey(Keyspace.PRIVATE_PREFIX + keyspace.root() + ":doctor");
        String owner = "doctorCheckOwnerAaaaaa";
        Map<String, Supplier<CompletableFuture<?>>> probes = new LinkedHashMap<>();
        probes.put("write and remove an entry", () -> store.putEntry(scratch, "probe", "1")
                .thenCompose(x -> store.removeEntries(scratch, List.of("probe"))));
        probes.put("read a hash page by page", () -> store.readFirstPage(scratch, 10));
        probes.put("write and end a lease", () -> store.writeLease(keyspace, owner, 1, List.of(scratch.redisKey()), 60_000)
                .thenCompose(x -> store.endLease(keyspace, owner, 1)));
        probes.put("take a lock", () -> store.tryLock(scratch.redisKey() + "-lock", "doctor", 1000)
                .thenCompose(x -> store.deleteKey(scratch.redisKey() + "-lock")));
        probes.put("scan keys", () -> store.scanKeys(keyspace.pattern(), null, 10));
        probes.put("read the clock", store::serverTimeMillis);
        probes.put("subscribe", () -> store.subscribe(List.of(scratch.redisKey()))
                .thenCompose(x -> store.unsubscribe(List.of(scratch.redisKey()))));
        List<String> denied = new ArrayList<>();
        for (Map.Entry<String, Supplier<CompletableFuture<?>>> p : probes.entrySet()) {
            try {
                p.getValue().get().get();
            } catch (Exception e) {
                denied.add(p.getKey() + " (" + rootMessage(e) + ")");
            }
        }
        if (denied.isEmpty()) {
            findings.add(Finding.ok("permissions", "every operation the registry uses is allowed"));
        } else {
            findings.add(Finding.problem("permissions", "denied: " + String.join("; ", denied),
                    "grant the ACL rule of docs/hostile-input.md#acl to the registry's user"));
        }
        String steps = store.serverSteps();
        if ("functions".equals(steps)) {
            findings.add(Finding.ok("functions", "the registry's function library is loaded: a user without +eval works"));
        } else {
            findings.add(Finding.warning("functions", "server-side steps run as scripts (EVALSHA): the registry's user "
                    + "needs +eval/+evalsha, which lets it run any script", "on Redis 7, load the registry's functions once "
                    + "(dubbo-redis-cli functions load) and use the ACL rule without +eval (docs/hostile-input.md#acl)"));
        }
    }

    private void checkLatency(List<Finding> findings) throws ExecutionException, InterruptedException {
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
                ? Finding.warning("latency", text, "put the registry's Redis closer to the applications")
                : Finding.ok("latency", text));
    }

    private void checkData(List<Finding> findings) throws ExecutionException, InterruptedException {
        long now = inspector.redisNow().get();
        long session = settings.session().toMillis();
        List<KeyReport> keys = new ArrayList<>(inspector.interfaceLevel(50).get());
        keys.addAll(inspector.applicationLevel(50).get());
        long dead = 0;
        int reported = 0;
        for (KeyReport k : keys) {
            dead += k.dead();
            if (k.tooLarge()) {
                findings.add(Finding.problem("size", "key '" + k.redisKey() + "' " + k.problem(),
                        "remove its stale entries; or raise key.max-entries on every registry (the README's Limits give the largest key read)"));
                continue;
            }
            if (k.problem() != null) {
                findings.add(Finding.problem("garbage", "key '" + k.redisKey() + "': " + k.problem(),
                        "remove it (DEL) or move it out of the registry root: older registries fail on it"));
                continue;
            }
            if (k.unreadable() > 0) {
                EntryReport example = k.entries().stream().filter(e -> e.state() == State.UNREADABLE).findFirst().orElse(null);
                findings.add(Finding.problem("garbage", "key '" + k.redisKey() + "': " + k.unreadable() + " unreadable "
                        + "entr" + (k.unreadable() == 1 ? "y" : "ies") + (example == null ? "" : ", e.g. field '" + example.field()
                        + "': " + example.problem()), "HDEL those fields; older registries cannot read the whole key because of them"));
            }
            for (EntryReport e : k.entries()) {
                if (e.state() == State.LIVE && e.dynamic() && e.millisLeft(now) > session * 2 && reported++ < 20) {
                    findings.add(Finding.warning("clock skew", "key '" + k.redisKey() + "': an entry expires in "
                            + e.millisLeft(now) / 1000 + " s, far beyond a session (" + session / 1000 + " s): written by an "
                            + "older registry whose clock runs ahead, or with a longer session",
                            "synchronise that host's clock (NTP); this registry stamps expiries on Redis's clock"));
                }
            }
        }
        findings.add(dead == 0 ? Finding.ok("expired", "no expired entries left behind")
                : Finding.warning("expired", dead + " expired entr" + (dead == 1 ? "y" : "ies") + " not yet removed",
                        "they go within a sweep period while a registry runs; or run: dubbo-redis reap"));
    }

    /** The owners set: members that are not owner ids, or leases long expired, are someone's edits or leftovers. */
    private void checkLeases(List<Finding> findings) throws ExecutionException, InterruptedException {
        long now = inspector.redisNow().get();
        List<Lease> recent = store.expiredLeases(keyspace, Long.MAX_VALUE / 2, Long.MIN_VALUE / 2, 1000).get();
        long garbage = recent.stream().filter(l -> !Keyspace.isOwnerId(l.ownerId())).count();
        long stale = recent.stream().filter(l -> l.expiry() < now - settings.session().toMillis() * 10).count();
        if (garbage > 0 || stale > 0) {
            findings.add(Finding.warning("leases", keyspace.ownersKey() + " holds " + garbage + " member(s) that are not "
                    + "owner ids and " + stale + " lease(s) long expired (of the first 1000)",
                    "registries drop them by themselves, a few hundred per reap period"));
        } else {
            findings.add(Finding.ok("leases", recent.size() + " lease(s), none malformed"));
        }
    }

    private static int number(String s) {
        try {
            return Integer.parseInt(s.replaceAll("[^0-9].*$", ""));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static String field(String info, String name) {
        for (String line : info.split("\\r?\\n")) {
            if (line.startsWith(name + ":")) {
                return line.substring(name.length() + 1).trim();
            }
        }
        return null;
    }

    static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
    }
}
