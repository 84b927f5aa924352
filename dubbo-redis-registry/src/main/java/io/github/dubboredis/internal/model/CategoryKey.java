package io.github.dubboredis.internal.model;

import java.util.Objects;

/**
 * One registry hash: a service and a category, stored at {@code <root><service>/<category>}, e.g.
 * {@code /dubbo/com.foo.BarService/providers}, or (for application-level instances) under this
 * registry's own prefix. The key is also the channel its {@code register}/{@code unregister}
 * announcements go to.
 */
public final class CategoryKey {

    private final String service;
    private final String category;
    private final String redisKey;

    private CategoryKey(String service, String category, String redisKey) {
        this.service = service;
        this.category = category;
        this.redisKey = redisKey;
    }

    /** {@code <root><service>/<category>}: the shared layout. */
    static CategoryKey under(String root, String service, String category) {
        return new CategoryKey(service, category, root + service + "/" + category);
    }

    /** A key outside the shared layout, e.g. an application's instances. */
    static CategoryKey atKey(String service, String category, String redisKey) {
        return new CategoryKey(service, category, redisKey);
    }

    public String service() {
        return service;
    }

    public String category() {
        return category;
    }

    /** The Redis key, which is also the channel its announcements are published on. */
    public String redisKey() {
        return redisKey;
    }

    /**
     * The key of this hash's change sequence, {@code dubbo-redis:{<key>}:seq}, in the same Redis Cluster
     * slot as the hash (the braces make the hash key its hash tag). Null for a key whose own name has
     * braces: no tag could put both in one slot, so that key is read whole on every change instead.
     */
    public String sequenceKey() {
        return hasTaggableName() ? Keyspace.PRIVATE_PREFIX + "{" + redisKey + "}:seq" : null;
    }

    /** The channel of this hash's change records, {@code dubbo-redis:{<key>}:changes}; null as for {@link #sequenceKey()}. */
    public String changeChannel() {
        return hasTaggableName() ? Keyspace.PRIVATE_PREFIX + "{" + redisKey + "}:changes" : null;
    }

    /** Whether change records exist for this key (see {@link #sequenceKey()}). */
    public boolean hasChangeRecords() {
        return hasTaggableName();
    }

    private boolean hasTaggableName() {
        return redisKey.indexOf('{') < 0 && redisKey.indexOf('}') < 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CategoryKey k && redisKey.equals(k.redisKey);
    }

    @Override
    public int hashCode() {
        return Objects.hash(redisKey);
    }

    @Override
    public String toString() {
        return redisKey;
    }
}
