package io.github.dubboredis.internal.model;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Every Redis key and channel of one registry root ({@code /dubbo/} for the default group). Under the root
 * there are only the category hashes the older registry reads; this registry's own keys live under
 * {@value #PRIVATE_PREFIX}, so that an old admin that reads every {@code /dubbo/*} key with HGETALL never
 * meets a key it cannot parse.
 */
public final class Keyspace {

    /** Prefix of every key and channel this registry owns outside the shared layout. */
    public static final String PRIVATE_PREFIX = "dubbo-redis:";

    /** The category under which application instances are kept (see {@link #instancesKey}). */
    public static final String INSTANCES = "instances";

    /** Owner ids as this registry makes them: 22 characters of URL-safe base64 (see {@link #isOwnerId}). */
    private static final Pattern OWNER_ID = Pattern.compile("[A-Za-z0-9_-]{16,64}");

    private final String root;

    public Keyspace(String root) {
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
     * Reads a Redis key back into a service and category; empty for a key that is not
     * {@code <root><service>/<category>} (garbage someone wrote by hand, or a key of another root).
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

    /**
     * A key this registry may write entries into: a category key under the root or an application's
     * instances key. Anything else named in Redis (a lease record someone edited, say) is refused, so that
     * no registry ever deletes or announces outside its own keys.
     */
    public Optional<CategoryKey> parseEntryKey(String redisKey) {
        Optional<CategoryKey> categoryKey = parse(redisKey);
        if (categoryKey.isPresent()) {
            return categoryKey;
        }
        String prefix = instancesPrefix();
        if (redisKey.startsWith(prefix) && redisKey.length() > prefix.length()) {
            return Optional.of(instancesKey(redisKey.substring(prefix.length())));
        }
        return Optional.empty();
    }

    /** Any key by its name, for operators' tools that read what is there (it may be garbage). */
    public CategoryKey anyKey(String redisKey) {
        return CategoryKey.atKey("?", "?", redisKey);
    }

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

    /** Sorted set of live registries: member an owner id, score the expiry of its lease (Redis clock). */
    public String ownersKey() {
        return PRIVATE_PREFIX + root + ":owners";
    }

    /** Set of the keys in which one owner has entries, so that a reaper knows where to look when it dies. */
    public String ownerKeysKey(String ownerId) {
        return PRIVATE_PREFIX + root + ":owner:" + ownerId;
    }

    /** Short-lived claim of the reaper that removes a dead owner's entries, so that only one does. */
    public String reapClaimKey(String ownerId) {
        return PRIVATE_PREFIX + root + ":reaping:" + ownerId;
    }

    /** Whether a member of the owners set is an owner id this registry could have made. */
    public static boolean isOwnerId(String member) {
        return OWNER_ID.matcher(member).matches();
    }

    /** A random value that changes when Redis loses the registry's data (see the data-loss detector). */
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
