package io.github.dubboredis.internal.store;

/** Where registries get their store: shared by every registry with equal connection settings. */
public interface StoreProvider {

    /**
     * A share of the store for these settings, creating and connecting it if needed.
     *
     * @param mustConnect fail with a clear {@link RedisAccessException} if Redis cannot be used now; otherwise,
     *     if the first attempt fails, return anyway and let the store connect whenever Redis comes. Either way the
     *     first attempt is waited for (bounded by the connect timeout), so a Redis that is there is used at once.
     */
    StoreHandle acquire(io.github.dubboredis.config.ConnectionSettings settings, boolean mustConnect);
}
