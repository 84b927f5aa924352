package io.github.dubboredis.legacy.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Redis server seen directly (same code for this registry's Redis and the old registry's): PING as
 * the round trip, provider entries written in the layout both Redis registries share ({@code HSET
 * /dubbo/<service>/providers <url> <expiry>}), FLUSHALL, and INFO.
 */
public final class RedisOps implements ServerOps {

    private final String address;
    private final MiniResp pinger;
    private final MiniResp admin;

    public RedisOps(String address) {
        this.address = address;
        this.pinger = MiniResp.connect(address);
        this.admin = MiniResp.connect(address);
    }

    @Override
    public String describe() {
        return "redis-server " + admin.info("server").get("redis_version") + " at " + address;
    }

    @Override
    public String roundTripName() {
        return "Redis PING";
    }

    @Override
    public void roundTrip() {
        pinger.call("PING");
    }

    /** Expiry one hour ahead on Redis's clock: live for both registries, never reaped during a run. */
    @Override
    public void populate(Map<String, List<String>> providerUrlsByService) {
        String expiry = Long.toString(admin.timeMillis() + 3600_000L);
        List<String[]> batch = new ArrayList<String[]>();
        for (Map.Entry<String, List<String>> e : providerUrlsByService.entrySet()) {
            for (String url : e.getValue()) {
                batch.add(new String[] {"HSET", "/dubbo/" + e.getKey() + "/providers", url, expiry});
                if (batch.size() == 1000) {
                    admin.pipeline(batch);
                    batch.clear();
                }
            }
        }
        if (!batch.isEmpty()) {
            admin.pipeline(batch);
        }
    }

    @Override
    public void wipe() {
        admin.call("FLUSHALL");
    }

    /**
     * One {@code INFO all}: connections, used_memory, read events, input bytes, the process's CPU time
     * ({@code cpu_us}), commands, and per command its calls and the
     * server time it took ({@code usec.<command>}). The probe's own INFO is left out of {@code commands} and of the
     * per-command figures (the read it costs is not: at most one per snapshot).
     */
    @Override
    public Map<String, Long> stats() {
        Map<String, String> info = admin.info("all");
        Map<String, Long> m = new LinkedHashMap<String, Long>();
        m.put("connections", number(info.get("connected_clients")));
        m.put("memory_bytes", number(info.get("used_memory")));
        m.put("reads", number(info.get("total_reads_processed")));
        m.put("input_bytes", number(info.get("total_net_input_bytes")));
        m.put("output_bytes", number(info.get("total_net_output_bytes")));
        m.put("cpu_us", seconds(info.get("used_cpu_user")) + seconds(info.get("used_cpu_sys")));
        long total = number(info.get("total_commands_processed"));
        for (Map.Entry<String, String> e : info.entrySet()) {
            if (!e.getKey().startsWith("cmdstat_")) {
                continue;
            }
            String cmd = e.getKey().substring("cmdstat_".length());
            String v = e.getValue();
            long calls = field(v, "calls=");
            if (cmd.equals("info")) {
                total -= calls;
                continue;
            }
            m.put("calls." + cmd, calls);
            m.put("usec." + cmd, field(v, "usec="));
        }
        m.put("commands", total);
        return m;
    }

    private static long field(String stat, String name) {
        int a = stat.indexOf(name) + name.length();
        int b = stat.indexOf(',', a);
        return Long.parseLong(b < 0 ? stat.substring(a) : stat.substring(a, b));
    }

    private static long seconds(String s) {
        return s == null ? 0 : Math.round(Double.parseDouble(s.trim()) * 1_000_000);
    }

    private static long number(String s) {
        return s == null ? -1 : Long.parseLong(s.trim());
    }

    /** The RESP size of HGETALL of the service's providers hash. */
    @Override
    public long fullReadBytes(String service) {
        Object reply = admin.call("HGETALL", "/dubbo/" + service + "/providers");
        return respSize(reply);
    }

    private static long respSize(Object reply) {
        if (reply instanceof List) {
            List<?> items = (List<?>) reply;
            long n = 3 + Integer.toString(items.size()).length();
            for (Object o : items) {
                n += respSize(o);
            }
            return n;
        }
        String s = String.valueOf(reply);
        int len = s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        return 5 + Integer.toString(len).length() + len;
    }

    @Override
    public ChannelTap tap(String channel) {
        return ChannelTap.open(address, channel);
    }

    @Override
    public String memoryNote() {
        return "INFO used_memory";
    }

    @Override
    public void close() {
        pinger.close();
        admin.close();
    }
}
