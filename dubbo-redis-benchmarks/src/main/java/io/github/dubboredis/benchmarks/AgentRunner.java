package io.github.dubboredis.benchmarks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.github.dubboredis.legacy.bench.BenchKit;
import io.github.dubboredis.testkit.ChildJvm;

/**
 * Runs scenarios in a child JVM: the old registry's agent ({@code LegacyRegistryBench} of the legacy app, on that
 * app's classpath), or a Dubbo 3 registry's ({@link Dubbo3Agent}) where a scenario needs a JVM of its own; with the
 * same JVM options as this one unless told otherwise. A run that gives no result in time is recorded as such; the
 * child is then replaced for the runs after it.
 */
final class AgentRunner {

    private final String name;
    private final String classpath;
    private final List<String> jvmArgs;
    private final String mainClass;
    private final List<String> mainArgs;

    /** The old registry's agent on the legacy app's classpath, for the Redis at {@code redisAddress}. */
    AgentRunner(String redisAddress, String classpath, List<String> jvmArgs) {
        this("legacy", classpath, jvmArgs, "io.github.dubboredis.legacy.LegacyRegistryBench", List.of(redisAddress));
    }

    /** Any agent that takes its runs (JSON) as its last argument and answers as {@code LegacyRegistryBench} does. */
    AgentRunner(String name, String classpath, List<String> jvmArgs, String mainClass, List<String> mainArgs) {
        this.name = name;
        this.classpath = classpath;
        this.jvmArgs = jvmArgs;
        this.mainClass = mainClass;
        this.mainArgs = mainArgs;
    }

    /** The same agent with other JVM options (more heap, say). */
    AgentRunner withJvmArgs(List<String> args) {
        return new AgentRunner(name, classpath, args, mainClass, mainArgs);
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
            List<String> args = new ArrayList<>(mainArgs);
            args.add(BenchKit.toJson(batch));
            try (ChildJvm child = ChildJvm.start(name + "-bench", classpath, jvmArgs, mainClass, args.toArray(String[]::new))) {
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
                    RegistryBenchmarks.progress(name, run, result);
                    if (Boolean.TRUE.equals(result.get("abandoned"))) {
                        break; // the child stops itself; the rest go to a fresh one
                    }
                }
            } catch (IllegalStateException e) {
                // the child did not start: every remaining run fails alike
                for (int i = next; i < runs.size(); i++) {
                    results.add(BenchKit.obj("error", name + " JVM: " + e.getMessage().lines().findFirst().orElse("")));
                }
                next = runs.size();
            }
        }
        return results;
    }
}
