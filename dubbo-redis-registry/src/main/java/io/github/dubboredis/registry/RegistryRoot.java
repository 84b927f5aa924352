package io.github.dubboredis.registry;

import java.util.Optional;

/**
 * The registry's key space in Redis. Under the root ({@code /dubbo/} by default) there are only the
 * category hashes the older registry reads; this registry's own keys (the lease index, the sweep lock)
 * live under a separate prefix, so that an old admin doing {@code KEYS /dubbo/*} + {@code HGETALL} on
 * each never meets a key it cannot parse.
 */
public final class RegistryRoot {

    /** Prefix of every key this registry owns outside the shared layout. */
    public static final String PRIVATE_PREFIX = "dubbo-redis:";

    private final String root;

    public RegistryRoot(String root) {
        if (!root.startsWith("/") || !root.endsWith("/")) {
            throw new IllegalArgumentException("root must start and end with '/': " + root);
        }
        this.root = root;
    }

    public String root() {
        return root;
    }

    public CategoryKey key(String service, String category) {
        if (service.isEmpty() || service.indexOf('/') >= 0 || category.isEmpty() || category.indexOf('/') >= 0) {
            throw new IllegalArgumentException("service and category must be non-empty and contain no '/': "
                    + service + ", " + category);
        }
        return CategoryKey.under(root, service, category);
    }

    /** The pattern an admin subscribes to and a sweep scans: every key under the root. */
    public String pattern() {
        return root + "*";
    }

    /**
     * Reads a Redis key back into a service and category; empty for a key that is under the root but is
     * not {@code <root><service>/<category>} (garbage someone wrote by hand).
     */
    public Optional<CategoryKey> parse(String redisKey) {
        if (!redisKey.startsWith(root)) {
            return Optional.empty();
        }
        String rest = redisKey.substring(root.length());
        int slash = rest.indexOf('/');
        if (slash <= 0 || slash != rest.lastIndexOf('/') || slash == rest.length() - 1) {
            return Optional.empty();
        }
        return Optional.of(CategoryKey.under(root, rest.substring(0, slash), rest.substring(slash + 1)));
    }

    /** The category under which application instances are kept (see {@link #instancesKey}). */
    public static final String INSTANCES = "instances";

    /**
     * The hash of an application's instances (Dubbo 3 application-level discovery), outside the root:
     * {@code dubbo-redis:/dubbo/:instances:<application>}; fields are instances as JSON, values expiries.
     */
    public CategoryKey instancesKey(String application) {
        if (application.isEmpty()) {
            throw new IllegalArgumentException("application name must not be empty");
        }
        return CategoryKey.atKey(application, INSTANCES, instancesPrefix() + application);
    }

    /** Every application's instances key starts with this. */
    public String instancesPrefix() {
        return PRIVATE_PREFIX + root + ":" + INSTANCES + ":";
    }

    /** Sorted set of this registry's own leases: member {@code <key>\n<field>}, score the expiry. */
    public String leaseIndexKey() {
        return PRIVATE_PREFIX + root + ":leases";
    }

    /** A random value that changes when Redis loses the registry's data (see {@link DataEpoch}). */
    public String epochKey() {
        return PRIVATE_PREFIX + root + ":epoch";
    }

    /** Lock that elects the one registry that sweeps the whole root in a period. */
    public String sweepLockKey() {
        return PRIVATE_PREFIX + root + ":sweep-lock";
    }

    @Override
    public String toString() {
        return root;
    }
}
