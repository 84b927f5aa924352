package io.github.dubboredis.legacy;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.dubbo.common.URL;
import org.apache.dubbo.common.extension.ExtensionLoader;
import org.apache.dubbo.registry.Registry;
import org.apache.dubbo.registry.RegistryFactory;

import io.github.dubboredis.legacy.bench.BenchKit;
import io.github.dubboredis.legacy.bench.RedisOps;
import io.github.dubboredis.legacy.bench.RegistryTarget;
import io.github.dubboredis.legacy.bench.Scenarios;
import io.github.dubboredis.legacy.bench.ServerOps;

/**
 * The benchmark agent for Dubbo 2.7.23's own Redis registry ({@code dubbo-registry-redis} with Jedis 3.7.0),
 * run in a child JVM by the benchmark: {@code LegacyRegistryBench <redis host:port> <runs>}, where runs is a
 * JSON list of {@code {"scenario": ..., "params": {...}}}. Runs the same scenario code as the benchmark JVM
 * ({@link Scenarios}) and prints {@code RESULT <index> <json>} after each run, then {@code DONE}. After a
 * run that had to abandon blocked registry calls it stops ({@code ABANDONED}), so that no later run shares a
 * JVM with them; the benchmark starts a fresh one for the rest.
 */
public final class LegacyRegistryBench {

    private LegacyRegistryBench() {
    }

    public static void main(String[] args) throws Exception {
        String address = args[0];
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> runs = (List<Map<String, Object>>) BenchKit.parseJson(args[1]);
        Legacy27Target target = new Legacy27Target(address);
        System.out.println("READY");
        System.out.flush();
        for (int i = 0; i < runs.size(); i++) {
            @SuppressWarnings("unchecked")
            Map<String, Object> params = (Map<String, Object>) runs.get(i).get("params");
            Map<String, Object> result = Scenarios.run((String) runs.get(i).get("scenario"), target, params);
            System.out.println("RESULT " + i + " " + BenchKit.toJson(result));
            System.out.flush();
            if (Boolean.TRUE.equals(result.get("abandoned"))) {
                System.out.println("ABANDONED");
                System.out.flush();
                Runtime.getRuntime().halt(0);
            }
        }
        System.out.println("DONE");
        System.out.flush();
        Runtime.getRuntime().halt(0);
    }

    /** Dubbo 2.7's {@code redis} registry extension, created by SPI as Dubbo 2.7 does. */
    static final class Legacy27Target implements RegistryTarget {
        private final String address;
        private final RedisOps server;
        private static final AtomicInteger COUNTER = new AtomicInteger();
        private final Set<Registry> created = Collections.newSetFromMap(new IdentityHashMap<Registry, Boolean>());

        Legacy27Target(String address) {
            this.address = address;
            this.server = new RedisOps(address);
        }

        @Override
        public String name() {
            return "legacy";
        }

        @Override
        public ServerOps server() {
            return server;
        }

        /**
         * Dubbo 2.7's factory caches one registry per address and service key, so each instance gets its own
         * {@code version} (which that registry does not otherwise use). The Jedis pool keeps its defaults
         * (8 connections) except when a run subscribes to more services: each subscribed service holds one
         * pooled connection for good (a thread in psubscribe), so with the default pool the 9th subscription
         * blocks forever; the pool is then sized to the subscriptions plus 16.
         */
        @Override
        public Registry create(String role, int instance, Map<String, String> params) {
            StringBuilder q = new StringBuilder("file.cache=false&version=").append(role).append('.').append(instance)
                    .append('.').append(COUNTER.incrementAndGet());
            for (Map.Entry<String, String> e : params.entrySet()) {
                if (e.getKey().equals("bench.subscriptions")) {
                    int n = Integer.parseInt(e.getValue());
                    if (n + 1 > 8) {
                        q.append("&max.total=").append(n + 16).append("&max.idle=").append(n + 16);
                    }
                } else if (!e.getKey().startsWith("bench.")) {
                    q.append('&').append(e.getKey()).append('=').append(e.getValue());
                }
            }
            URL url = URL.valueOf("redis://" + address + "?" + q);
            Registry r = ExtensionLoader.getExtensionLoader(RegistryFactory.class).getExtension("redis").getRegistry(url);
            synchronized (created) {
                if (!created.add(r)) {
                    throw new IllegalStateException("Dubbo 2.7 handed out a cached registry for " + url);
                }
            }
            return r;
        }

        @Override
        public URL url(Registry registry, String url) {
            return URL.valueOf(url);
        }

        @Override
        public void destroy(final Registry registry) {
            BenchKit.bounded("destroy", 30_000, new Runnable() {
                @Override
                public void run() {
                    registry.destroy();
                }
            });
        }

        @Override
        public long renewPeriodMillis(long sessionMillis) {
            return sessionMillis / 2;
        }

        @Override
        public String renewalNote() {
            return "every session/2, one HSET per registered URL (each its own round trip, each preceded by the "
                    + "pool's test-on-borrow PING)";
        }
    }
}
