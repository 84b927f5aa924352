package io.github.dubboredis.registry;

import java.util.Objects;

/**
 * One registry hash: a service and a category, stored at {@code <root><service>/<category>}, e.g.
 * {@code /dubbo/com.foo.BarService/providers}, or (for application-level instances) under this
 * registry's own prefix. The key is also the pub/sub channel of its changes.
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

    /** The Redis key, which is also the channel its changes are published on. */
    public String redisKey() {
        return redisKey;
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
