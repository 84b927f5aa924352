package io.github.dubboredis.internal.lettuce;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Looks at how a Redis node is configured when the registry first reaches it, and warns (once) about
 * what would silently lose registrations: an eviction policy that may delete the registry's keys, which
 * have no TTL ({@code allkeys-*}), and no persistence at all. Checks that the server refuses (CONFIG is
 * often forbidden by ACLs or renamed by hosted Redis) are skipped.
 */
final class ServerCheck {

    private ServerCheck() {
    }

    static void inspect(NodeLink link, Consumer<String> warn) {
        link.commands().info("memory").toCompletableFuture().thenAccept(info -> {
            String policy = field(info, "maxmemory_policy");
            if (policy != null && policy.toLowerCase(Locale.ROOT).startsWith("allkeys")) {
                warn.accept("evicts keys under memory pressure (maxmemory-policy " + policy + "): it may silently delete "
                        + "registrations. Set maxmemory-policy to noeviction (or a volatile-* policy: registry keys "
                        + "have no TTL, so those never evict them).");
            }
        }).exceptionally(e -> null);
        // One parameter per CONFIG GET: Redis 6.2 refuses several in one (they came with Redis 7).
        CompletableFuture<Map<String, String>> appendonly = link.commands().configGet("appendonly").toCompletableFuture();
        CompletableFuture<Map<String, String>> save = link.commands().configGet("save").toCompletableFuture();
        appendonly.thenCombine(save, (a, s) -> {
            if (isOff(a, "appendonly") && isEmpty(s, "save")) {
                warn.accept("has no persistence (appendonly no, save \"\"): a restart loses every registration. "
                        + "The registry recovers by registering everything again, but enable AOF or RDB snapshots.");
            }
            return null;
        }).exceptionally(e -> {
            // CONFIG is often forbidden by ACLs or renamed by hosted Redis: say once that this was not checked.
            warn.accept("could not check its persistence settings (" + String.valueOf(RedisErrors.unwrap(e).getMessage())
                    + "); make sure AOF or RDB snapshots are on, or allow +config|get to the registry's user");
            return null;
        });
    }

    private static boolean isOff(Map<String, String> config, String name) {
        return config.containsKey(name) && "no".equalsIgnoreCase(config.get(name).trim());
    }

    private static boolean isEmpty(Map<String, String> config, String name) {
        return config.containsKey(name) && config.get(name).trim().isEmpty();
    }

    private static String field(String info, String name) {
        for (String line : info.split("\r?\n")) {
            if (line.startsWith(name + ":")) {
                return line.substring(name.length() + 1).trim();
            }
        }
        return null;
    }
}
