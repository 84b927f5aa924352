package io.github.dubboredis.internal.store;

/** One user's share of a store that several registries use: closing it gives the share back. */
public interface StoreHandle extends AutoCloseable {

    RegistryStore store();

    /** Gives the share back; the last one closes the store. Idempotent. */
    @Override
    void close();
}
