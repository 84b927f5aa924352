package io.github.dubboredis.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.github.dubboredis.legacy.bench.BenchKit;

/** The runs of each scenario, with their sizes (full or {@code --quick}); the same for every registry. */
final class Plans {

    private Plans() {
    }

    static List<RegistryBenchmarks.Run> runs(String scenario, RegistryBenchmarks.Options o) {
        boolean q = o.quick;
        long deadline = o.deadlineSeconds > 0 ? o.deadlineSeconds * 1000 : (q ? 20_000 : 60_000);
        List<RegistryBenchmarks.Run> runs = new ArrayList<>();
        switch (scenario) {
            case "latency" -> {
                int warmup = q ? 200 : 2000;
                int samples = q ? 200 : 1000;
                runs.add(run("floor", "round trip, back to back", "warmup", warmup, "samples", samples));
                runs.add(run("floor", "round trip after 0.5 ms idle", "warmup", warmup, "samples", samples, "idle_us", 500));
                runs.add(run("latency", "notification", "warmup", warmup, "samples", samples,
                        "tap_samples", q ? 100 : 300, "budget_ms", q ? 30_000 : 120_000));
            }
            case "cycle" -> {
                // As the issue measured it: short, in a JVM that has not run the other scenarios yet.
                runs.add(run("cycle", "register/unregister cycle", "warmup", 50, "samples", 300, "budget_ms", 60_000));
            }
            case "subscribe" -> {
                boolean first = true;
                for (int n : q ? new int[] {1, 100} : new int[] {1, 100, 1000, 10_000}) {
                    // The first run warms the JIT with a throwaway registry (its figures go to the JSON only).
                    runs.add(run("subscribe", n + " services", "services", n, "deadline_ms", deadline,
                            "warmup", first ? (q ? 100 : 1000) : 0));
                    first = false;
                }
            }
            case "register" -> {
                int count = q ? 1000 : 10_000;
                runs.add(run("register", count + " URLs", "count", count, "services", count / 10,
                        "warmup", q ? 200 : 2000, "deadline_ms", Math.max(deadline, q ? 30_000 : 120_000)));
            }
            case "renewal" -> {
                int n = q ? 10 : 100;
                long window = q ? 5_000 : 12_000;
                runs.add(run("renewal", n + " registries x " + n + " entries", "registries", n, "services", n,
                        "urls_per_service", 1, "session_ms", 6000, "window_ms", window, "deadline_ms", 120_000));
                runs.add(run("renewal", "1 registry x " + n * n + " entries", "registries", 1, "services", n,
                        "urls_per_service", n, "session_ms", 6000, "window_ms", window, "deadline_ms", 120_000));
            }
            case "churn" -> {
                int n = q ? 10 : 100;
                runs.add(run("churn", n + " providers, " + n + " consumers", "providers", n, "consumers", n,
                        "rounds", q ? 1 : 2, "rate", q ? 50 : 100, "deadline_ms", Math.max(deadline, 60_000)));
            }
            case "fanout" -> {
                // The sizes unless told otherwise; the deadline bounds setup, changes and settling together
                // (the old registry and ZooKeeper re-read every provider per change and may not keep up).
                int providers = o.fanoutProviders > 0 ? o.fanoutProviders : q ? 1000 : 5000;
                int subscribers = o.fanoutSubscribers > 0 ? o.fanoutSubscribers : q ? 50 : 500;
                runs.add(run("fanout", providers + " providers, " + subscribers + " subscribers", "providers", providers,
                        "subscribers", subscribers, "changes", q ? 6 : 10, "interval_ms", 1000,
                        "deadline_ms", o.deadlineSeconds > 0 ? deadline : q ? 90_000 : 420_000));
            }
            default -> throw new IllegalArgumentException(scenario);
        }
        return runs;
    }

    private static RegistryBenchmarks.Run run(String scenario, String label, Object... params) {
        Map<String, Object> p = BenchKit.obj(params);
        return new RegistryBenchmarks.Run(scenario, label, p);
    }
}
