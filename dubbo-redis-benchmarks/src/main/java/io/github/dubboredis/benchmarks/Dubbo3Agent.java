package io.github.dubboredis.benchmarks;

import java.util.List;
import java.util.Map;

import io.github.dubboredis.legacy.bench.BenchKit;
import io.github.dubboredis.legacy.bench.RedisOps;
import io.github.dubboredis.legacy.bench.RegistryTarget;
import io.github.dubboredis.legacy.bench.Scenarios;

/**
 * Runs scenarios against a Dubbo 3.3 registry ({@code ours} or {@code zookeeper}) in a JVM of its own, as
 * {@code LegacyRegistryBench} does for the old registry: {@code Dubbo3Agent <ours|zookeeper> <address> <zk pid or -1>
 * <runs>}. For scenarios that need more heap than the benchmark JVM has, or whose CPU must be that of the
 * subscribers alone (the fan-out): prints {@code RESULT <index> <json>} after each run, then {@code DONE}.
 */
public final class Dubbo3Agent {

    private Dubbo3Agent() {
    }

    public static void main(String[] args) throws Exception {
        String target = args[0];
        String address = args[1];
        long zkPid = Long.parseLong(args[2]);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> runs = (List<Map<String, Object>>) BenchKit.parseJson(args[3]);
        RegistryTarget t;
        AutoCloseable ops;
        if (target.equals("ours")) {
            RedisOps redis = new RedisOps(address);
            ops = redis;
            t = Dubbo3Target.ours(address, redis);
        } else {
            ZkOps zk = new ZkOps(address);
            zk.serverPid(zkPid);
            ops = zk;
            t = Dubbo3Target.zookeeper(address, zk);
        }
        System.out.println("READY");
        System.out.flush();
        for (int i = 0; i < runs.size(); i++) {
            @SuppressWarnings("unchecked")
            Map<String, Object> params = (Map<String, Object>) runs.get(i).get("params");
            Map<String, Object> result = Scenarios.run((String) runs.get(i).get("scenario"), t, params);
            dumpRecordings(); // before the result: the benchmark may stop this JVM as soon as it has the last one
            System.out.println("RESULT " + i + " " + BenchKit.toJson(result));
            System.out.flush();
            if (Boolean.TRUE.equals(result.get("abandoned"))) {
                System.out.println("ABANDONED");
                System.out.flush();
                Runtime.getRuntime().halt(0);
            }
        }
        ops.close();
        System.out.println("DONE");
        System.out.flush();
        Runtime.getRuntime().halt(0);
    }

    /**
     * Writes a flight recording started with {@code -XX:StartFlightRecording=filename=...} (BENCH_CHILD_JVM_OPTS):
     * the JVM writes it at a normal exit only, and this agent halts or is stopped (hundreds of registries' shutdown
     * hooks are not what is measured).
     */
    private static void dumpRecordings() {
        if (java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .noneMatch(a -> a.contains("StartFlightRecording"))) {
            return; // asking for the recorder would start one
        }
        for (jdk.jfr.Recording r : jdk.jfr.FlightRecorder.getFlightRecorder().getRecordings()) {
            try {
                if (r.getDestination() != null) {
                    r.dump(r.getDestination());
                }
            } catch (java.io.IOException | RuntimeException e) {
                System.err.println("[bench] could not write the flight recording: " + e);
            }
        }
    }
}
