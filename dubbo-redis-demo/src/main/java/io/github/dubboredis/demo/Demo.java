package io.github.dubboredis.demo;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.github.dubboredis.testkit.ChildJvm;
import io.github.dubboredis.testkit.FreePorts;
import io.github.dubboredis.testkit.RedisServer;
import io.github.dubboredis.testkit.RespClient;

/**
 * The one-command demo: a Redis (its own, or {@code --redis host:port}), two providers in JVMs of their
 * own, and a consumer here, all on the Redis registry. It shows what the registry holds, who serves each
 * call, what happens when a provider is killed, and shuts everything down.
 */
public final class Demo {

    private static final long SESSION_MILLIS = 6000;
    private static final Map<String, String> INTERFACE_LEVEL =
            Map.of("register-mode", "interface", "migration.step", "FORCE_INTERFACE");
    private static final String PROVIDERS_KEY = "/dubbo/" + GreetingService.class.getName() + "/providers";

    private Demo() {
    }

    public static void main(String[] args) throws Exception {
        String redisAddress = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--redis") && i + 1 < args.length) {
                redisAddress = args[++i];
            } else {
                System.err.println("usage: demo.sh [--redis host:port]");
                System.exit(2);
            }
        }
        RedisServer ownRedis = null;
        if (redisAddress == null) {
            step("Starting a Redis of our own");
            ownRedis = RedisServer.startDefault();
            redisAddress = ownRedis.address();
            say("redis-server " + ownRedis.binary().version() + " on " + redisAddress);
        } else {
            step("Using the Redis at " + redisAddress);
        }
        String host = redisAddress.substring(0, redisAddress.lastIndexOf(':'));
        int port = Integer.parseInt(redisAddress.substring(redisAddress.lastIndexOf(':') + 1));
        String registry = "redis://" + redisAddress + "?session=" + SESSION_MILLIS;
        say("registry address: " + registry);

        List<ChildJvm> providers = new ArrayList<>();
        try (RespClient redis = new RespClient(host, port)) {
            step("Starting two providers, each in a JVM of its own");
            for (String name : List.of("provider-1", "provider-2")) {
                ChildJvm p = ChildJvm.start(name, System.getProperty("java.class.path"), List.of(),
                        ProviderMain.class.getName(), name, registry, Integer.toString(FreePorts.next()),
                        "register-mode=interface");
                providers.add(p);
            }
            for (ChildJvm p : providers) {
                say(p.awaitLineStartingWith("READY", Duration.ofSeconds(60)) + " (pid " + p.pid() + ")");
            }
            showRegistry(redis);

            step("Starting a consumer and calling");
            try (DubboApps.Consumer consumer = DubboApps.startConsumer("demo-consumer", registry, INTERFACE_LEVEL)) {
                waitForProviders(consumer, 2);
                call(consumer, 10);

                step("Killing provider-1 with SIGKILL: it cannot unregister");
                ChildJvm victim = providers.get(0);
                Instant killed = Instant.now();
                victim.kill();
                say("killed pid " + victim.pid() + "; calls go on (Dubbo retries on the other provider):");
                call(consumer, 5);
                say("waiting for the registry to notice (at most one session, " + SESSION_MILLIS + " ms)...");
                waitForProviders(consumer, 1);
                say("the consumer dropped provider-1 after " + Duration.between(killed, Instant.now()).toMillis() + " ms");
                showRegistry(redis);
                call(consumer, 5);

                step("Stopping provider-2 gracefully: it unregisters at once");
                providers.get(1).stopGracefully(Duration.ofSeconds(30));
                waitForProviders(consumer, 0);
                showRegistry(redis);
            }
        } finally {
            step("Shutting down");
            for (ChildJvm p : providers) {
                p.close();
            }
            if (ownRedis != null) {
                ownRedis.close();
            }
            say("done");
        }
        System.exit(0);
    }

    private static void showRegistry(RespClient redis) {
        say("registry view (" + PROVIDERS_KEY + "):");
        List<?> time = (List<?>) redis.call("TIME");
        long now = Long.parseLong((String) time.get(0)) * 1000;
        Map<String, String> entries = new TreeMap<>(redis.hgetall(PROVIDERS_KEY));
        if (entries.isEmpty()) {
            say("    (no providers)");
        }
        for (Map.Entry<String, String> e : entries.entrySet()) {
            String url = e.getKey();
            String app = url.replaceFirst(".*[?&]application=([^&]*).*", "$1");
            String address = url.replaceFirst("^dubbo://([^/]*)/.*", "$1");
            long left = Long.parseLong(e.getValue()) - now;
            say(String.format("    %-11s %-16s expires in %5.1f s", app, address, left / 1000.0));
        }
    }

    private static void call(DubboApps.Consumer consumer, int times) throws InterruptedException {
        for (int i = 0; i < times; i++) {
            try {
                String answer = consumer.service().greet("demo");
                say("    call -> \"" + answer + "\"  (served by " + GreetingServiceImpl.providerOf(answer) + ")");
            } catch (RuntimeException e) {
                say("    call failed: " + e.getClass().getSimpleName());
            }
            Thread.sleep(200);
        }
    }

    private static void waitForProviders(DubboApps.Consumer consumer, int count) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (consumer.providerUrls().size() != count && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        say("the consumer knows " + consumer.providerUrls().size() + " provider(s)");
    }

    private static void step(String s) {
        System.out.println();
        System.out.println("== " + s);
    }

    private static void say(String s) {
        System.out.println("   " + s);
    }
}
