package io.github.dubboredis.cli;

import java.io.PrintWriter;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.dubboredis.redis.RedisStore;
import io.github.dubboredis.redis.StoreListener;
import io.github.dubboredis.registry.RegistryRoot;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code watch [SERVICE]}: a live stream of {@code register}, {@code unregister} and {@code expired}
 * events, read from the registry's own announcements (every key of the service, or every key under the
 * root and every application's instances).
 */
@Command(name = "watch", description = "Stream register / unregister / expired events as they happen, for one service "
        + "or for everything. Stops after --duration seconds or --max-events events, or on Ctrl-C.")
final class WatchCommand extends SessionCommand {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");

    @Parameters(arity = "0..1", paramLabel = "SERVICE", description = "Only this service interface.")
    String service;

    @Option(names = "--duration", paramLabel = "SECONDS", defaultValue = "0", description = "Stop after this long (0: never).")
    long duration;

    @Option(names = "--max-events", paramLabel = "N", defaultValue = "0", description = "Stop after this many events (0: no limit).")
    int maxEvents;

    @Override
    int run(ConnectionOptions.Session session, PrintWriter out) throws Exception {
        RedisStore store = session.handle().store();
        RegistryRoot root = session.inspector().root();
        Map<String, Map<String, String>> known = new HashMap<>();
        CountDownLatch done = new CountDownLatch(1);
        AtomicInteger events = new AtomicInteger();
        StoreListener listener = new StoreListener() {
            @Override
            public void onMessage(String channel, String message) {
                changed(channel);
            }

            @Override
            public void onPatternMessage(String pattern, String channel, String message) {
                changed(channel);
            }

            private void changed(String key) {
                store.readHash(key).thenCombine(store.serverTimeMillis(), (hash, now) -> {
                    synchronized (known) {
                        Map<String, String> before = known.getOrDefault(key, Map.of());
                        known.put(key, hash);
                        for (String field : hash.keySet()) {
                            if (!before.containsKey(field)) {
                                print(out, "register", key, field);
                            }
                        }
                        for (Map.Entry<String, String> gone : before.entrySet()) {
                            if (!hash.containsKey(gone.getKey())) {
                                print(out, expiredAt(gone.getValue(), now) ? "expired" : "unregister", key, gone.getKey());
                            }
                        }
                    }
                    return null;
                }).exceptionally(e -> null);
            }

            private void print(PrintWriter w, String event, String key, String field) {
                if (connection.json) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("time", System.currentTimeMillis());
                    m.put("event", event);
                    m.put("key", key);
                    m.put("url", field);
                    Output.json(w, m);
                } else {
                    w.printf("%s %-10s %s %s%n", LocalTime.now().format(TIME), event, key, field);
                    w.flush();
                }
                if (maxEvents > 0 && events.incrementAndGet() >= maxEvents) {
                    done.countDown();
                }
            }
        };
        store.addListener(listener);
        try {
            List<String> keys = new ArrayList<>();
            if (service != null) {
                for (String category : List.of("providers", "consumers", "routers", "configurators")) {
                    keys.add(root.key(service, category).redisKey());
                }
                store.subscribe(keys).get();
            } else {
                store.subscribePattern(root.pattern()).get();
                store.subscribePattern(root.instancesPrefix() + "*").get();
                keys.addAll(store.scanKeys(root.pattern()).get());
                keys.addAll(store.scanKeys(root.instancesPrefix() + "*").get());
            }
            for (String k : keys) {
                try {
                    Map<String, String> hash = store.readHash(k).get();
                    synchronized (known) {
                        known.put(k, hash);
                    }
                } catch (java.util.concurrent.ExecutionException e) {
                    // not a hash: nothing to watch there
                }
            }
            if (!connection.json) {
                out.printf("watching %s (Ctrl-C to stop)%n", service != null ? service : "every key under " + root.root());
                out.flush();
            }
            if (duration > 0) {
                done.await(duration, TimeUnit.SECONDS);
            } else {
                done.await();
            }
            return RegistryCli.OK;
        } finally {
            store.removeListener(listener);
        }
    }

    private static boolean expiredAt(String value, long now) {
        try {
            return Long.parseLong(value.trim()) < now;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
