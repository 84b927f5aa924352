package io.github.dubboredis.benchmarks;

import java.util.Map;

import org.apache.dubbo.common.URL;
import org.apache.dubbo.registry.ListenerRegistryWrapper;
import org.apache.dubbo.registry.Registry;
import org.apache.dubbo.registry.RegistryFactory;
import org.apache.dubbo.rpc.model.ApplicationModel;
import org.apache.dubbo.rpc.model.FrameworkModel;

import io.github.dubboredis.dubbo.RedisRegistry;
import io.github.dubboredis.legacy.bench.BenchKit;
import io.github.dubboredis.legacy.bench.MiniResp;
import io.github.dubboredis.legacy.bench.Scenarios;
import io.github.dubboredis.testkit.TcpProxy;

/**
 * Counts the round trips of one renewal of this registry with a stopwatch: one registry owning many entries
 * talks to Redis through a {@link TcpProxy} that adds a known delay each way; a renewal (triggered with the
 * engine's {@code renewAll}, the same call the renew timer makes) then takes about one delayed round trip per
 * round trip it makes, whatever it sends. Round trips = (renewal time with the delay - without) / (round trip
 * with the delay - without). Only this registry exposes its renewal for such a call: the old
 * registry's round trips per renewal follow from its command counts (its client waits for every reply).
 */
final class RenewalRoundTrips {

    private RenewalRoundTrips() {
    }

    private static long pingMin(String address) {
        long best = Long.MAX_VALUE;
        try (MiniResp probe = MiniResp.connect(address)) {
            for (int k = 0; k < 5; k++) {
                long t0 = System.nanoTime();
                probe.call("PING");
                best = Math.min(best, System.nanoTime() - t0);
            }
        }
        return best;
    }

    private static long renewMin(RedisRegistry ours, int times) throws Exception {
        long best = Long.MAX_VALUE;
        for (int k = 0; k < times; k++) {
            long t0 = System.nanoTime();
            ours.engine().registrations().renewAll().get();
            best = Math.min(best, System.nanoTime() - t0);
        }
        return best;
    }

    static Map<String, Object> measure(String redisAddress, int services, int urlsPerService, long delayMillis) throws Exception {
        int colon = redisAddress.lastIndexOf(':');
        try (TcpProxy line = new TcpProxy(redisAddress.substring(0, colon), Integer.parseInt(redisAddress.substring(colon + 1)))) {
            FrameworkModel framework = new FrameworkModel();
            try {
                ApplicationModel app = framework.newApplication();
                // A long session keeps the timers out of the way; the renewal is triggered by hand.
                URL registryUrl = URL.valueOf("redis://" + line.address() + "?file-cache=false&session=600000&timeout=20000")
                        .setScopeModel(app);
                Registry registry = app.getExtensionLoader(RegistryFactory.class).getExtension("redis").getRegistry(registryUrl);
                RedisRegistry ours = (RedisRegistry) (registry instanceof ListenerRegistryWrapper w ? w.getRegistry() : registry);
                try {
                    for (int s = 0; s < services; s++) {
                        for (int u = 0; u < urlsPerService; u++) {
                            registry.register(URL.valueOf(Scenarios.providerUrl("com.example.bench.RoundTripService" + s,
                                    20000 + u, null)).setScopeModel(app));
                        }
                    }
                    // Without delay first: what the renewal costs besides waiting (transfer, Redis's work).
                    long rtt0 = pingMin(line.address());
                    long base = renewMin(ours, 3);
                    line.delay(delayMillis);
                    long rtt = pingMin(line.address());
                    long delayed = renewMin(ours, 3);
                    line.delay(0);
                    double roundTrips = (delayed - base) / (double) (rtt - rtt0);
                    return BenchKit.obj("entries", services * urlsPerService, "keys", services,
                            "delay_each_way_ms", delayMillis, "round_trip_ms", BenchKit.millis(rtt),
                            "renewal_ms", BenchKit.millis(delayed), "renewal_without_delay_ms", BenchKit.millis(base),
                            "round_trips", Math.round(roundTrips * 10.0) / 10.0);
                } finally {
                    line.delay(0);
                    registry.destroy();
                }
            } finally {
                framework.destroy();
            }
        }
    }
}
