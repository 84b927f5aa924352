package io.github.dubboredis.benchmarks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.github.dubboredis.legacy.bench.BenchKit;
import io.github.dubboredis.testkit.ChildJvm;

/**
 * Runs scenarios against Dubbo 2.7's Redis registry in a child JVM ({@code LegacyRegistryBench} of the legacy
 * app, on that app's classpath), with the same JVM options as this one, and collects its results. A run that
 * gives no result in time is recorded as such; the child is then replaced for the runs after it.
 */
final class LegacyRunner {

    private final String redisAddress;
    private final String classpath;
    private final List<String> jvmArgs;

    LegacyRunner(String redisAddress, String classpath, List<String> jvmArgs) {
        this.redisAddress = redisAddress;
        this.classpath = classpath;
        this.jvmArgs = jvmArgs;
    }

    List<Map<String, Object>> run(List<RegistryBenchmarks.Run> runs) {
        List<Map<String, Object>> results = new ArrayList<>();
        int next = 0;
        while (next < runs.size()) {
            List<Object> batch = new ArrayList<>();
            for (RegistryBenchmarks.Run r : runs.subList(next, runs.size())) {
                batch.add(BenchKit.obj("scenario", r.scenario(), "params", r.params()));
            }
            int first = next;
            try (ChildJvm child = ChildJvm.start("legacy-bench", classpath, jvmArgs,
                    "io.github.dubboredis.legacy.LegacyRegistryBench", redisAddress, BenchKit.toJson(batch))) {
                child.awaitLineStartingWith("READY", Duration.ofSeconds(60));
                for (int i = 0; i < batch.size(); i++) {
                    RegistryBenchmarks.Run run = runs.get(first + i);
                    String prefix = "RESULT " + i + " ";
                    String line;
                    try {
                        line = child.awaitLineStartingWith(prefix, Duration.ofMillis(run.timeoutMillis()));
                    } catch (IllegalStateException e) {
                        results.add(BenchKit.obj("error", "no result within " + run.timeoutMillis() / 1000
                                + " s; child JVM stopped", "finished", false));
                        next = first + i + 1;
                        break;
                    }
                    @SuppressWarnings("unchecked")
                    Map<String, Object> result = (Map<String, Object>) BenchKit.parseJson(line.substring(prefix.length()));
                    results.add(result);
                    next = first + i + 1;
                    RegistryBenchmarks.progress("legacy", run, result);
                    if (Boolean.TRUE.equals(result.get("abandoned"))) {
                        break; // the child stops itself; the rest go to a fresh one
                    }
                }
            } catch (IllegalStateException e) {
                // the child did not start: every remaining run fails alike
                for (int i = next; i < runs.size(); i++) {
                    results.add(BenchKit.obj("error", "legacy JVM: " + e.getMessage().lines().findFirst().orElse("")));
                }
                next = runs.size();
            }
        }
        return results;
    }
}
