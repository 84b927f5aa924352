package io.github.dubboredis.legacy.bench;

import java.util.List;
import java.util.Map;

/**
 * The server behind a registry, seen without any registry: its round trip, direct writes of provider
 * entries, a wipe, and the figures it reports about itself.
 */
public interface ServerOps extends AutoCloseable {

    /** E.g. {@code redis-server 7.0.15 at 127.0.0.1:6379}. */
    String describe();

    /** Name of the round trip {@link #roundTrip()} makes, e.g. {@code PING}. */
    String roundTripName();

    /** One request and its answer on an already open connection. */
    void roundTrip();

    /** Writes one provider entry per URL, as the registry would (not through any registry). */
    void populate(Map<String, List<String>> providerUrlsByService);

    /** Deletes every registry entry. */
    void wipe();

    /**
     * What the server says about itself now. Keys (absent when not measurable): {@code connections},
     * {@code memory_bytes}, {@code reads} (read events), {@code commands} (requests, ours excluded), and
     * {@code calls.<command>} per command.
     */
    Map<String, Long> stats();

    /**
     * A plain subscriber of one of the server's pub/sub channels (see {@link ChannelTap}); null where the server
     * has none (ZooKeeper).
     */
    default ChannelTap tap(String channel) {
        return null;
    }

    /**
     * The size of one whole read of a service's providers as the server sends it (a Redis HGETALL reply, a ZooKeeper
     * getChildren reply); -1 where not known.
     */
    default long fullReadBytes(String service) {
        return -1;
    }

    /** What {@code memory_bytes} is, for the report. */
    String memoryNote();

    @Override
    void close();
}
