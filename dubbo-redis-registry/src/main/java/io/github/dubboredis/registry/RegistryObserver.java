package io.github.dubboredis.registry;

/**
 * What the registry reports about itself: problems for the log, events for metrics. The Dubbo adapter
 * logs these with Dubbo's logger codes; a metrics binder counts them. Called on the registry's own
 * thread; implementations must not block.
 */
public interface RegistryObserver {

    RegistryObserver NONE = new RegistryObserver() {
    };

    /** Tells both observers everything, the first first. */
    static RegistryObserver both(RegistryObserver first, RegistryObserver second) {
        if (second == NONE) {
            return first;
        }
        return new RegistryObserver() {
            @Override
            public void malformedEntry(String key, String field, String reason) {
                first.malformedEntry(key, field, reason);
                second.malformedEntry(key, field, reason);
            }

            @Override
            public void malformedKey(String key, String reason) {
                first.malformedKey(key, reason);
                second.malformedKey(key, reason);
            }

            @Override
            public void connectionLost(String node, String cause, boolean reportedByAnother) {
                first.connectionLost(node, cause, reportedByAnother);
                second.connectionLost(node, cause, reportedByAnother);
            }

            @Override
            public void connectionWarning(String node, String message) {
                first.connectionWarning(node, message);
                second.connectionWarning(node, message);
            }

            @Override
            public void reRegistered(String node, int entries) {
                first.reRegistered(node, entries);
                second.reRegistered(node, entries);
            }

            @Override
            public void resynced(String node, int keys) {
                first.resynced(node, keys);
                second.resynced(node, keys);
            }

            @Override
            public void backgroundJobFailed(String what, Throwable cause) {
                first.backgroundJobFailed(what, cause);
                second.backgroundJobFailed(what, cause);
            }

            @Override
            public void backgroundJobRecovered(String what) {
                first.backgroundJobRecovered(what);
                second.backgroundJobRecovered(what);
            }

            @Override
            public void dataLost(String redis, long holdMillis) {
                first.dataLost(redis, holdMillis);
                second.dataLost(redis, holdMillis);
            }

            @Override
            public void listenerFailed(String what, Throwable cause) {
                first.listenerFailed(what, cause);
                second.listenerFailed(what, cause);
            }

            @Override
            public void reaped(String key, int entries) {
                first.reaped(key, entries);
                second.reaped(key, entries);
            }

            @Override
            public void notified(String key, long lagMillis) {
                first.notified(key, lagMillis);
                second.notified(key, lagMillis);
            }

            @Override
            public void closed() {
                first.closed();
                second.closed();
            }
        };
    }

    /** A field of a category hash that cannot be read; it is skipped. Reported once per key and field. */
    default void malformedEntry(String key, String field, String reason) {
    }

    /** A key under the root that is not a hash, or not a category key; it is skipped. Reported once. */
    default void malformedKey(String key, String reason) {
    }

    /**
     * A connection to a Redis node was lost (a reconnect follows). Registries of one address share their
     * connections; {@code reportedByAnother} is true when one of them has already been told.
     */
    default void connectionLost(String node, String cause, boolean reportedByAnother) {
    }

    /** Something about a Redis node the operator should know, though it works. */
    default void connectionWarning(String node, String message) {
    }

    /** Everything this registry owns was written again after a reconnect or a move to another node. */
    default void reRegistered(String node, int entries) {
    }

    /** Everything watched was read again after a gap in pub/sub. */
    default void resynced(String node, int keys) {
    }

    /** A renewal or another background job failed; it is retried on the next period. Reported once per outage. */
    default void backgroundJobFailed(String what, Throwable cause) {
    }

    /** A background job that was failing works again. */
    default void backgroundJobRecovered(String what) {
    }

    /**
     * Redis lost the registry's data (restarted empty, flushed, failed over to a node without it).
     * Watches keep what they had for {@code holdMillis} while owners register again.
     */
    default void dataLost(String redis, long holdMillis) {
    }

    /** A watch's listener threw; the others are still told. */
    default void listenerFailed(String what, Throwable cause) {
    }

    /** Dead entries were removed and announced. */
    default void reaped(String key, int entries) {
    }

    /** The engine was closed: release what was registered for it (meters). */
    default void closed() {
    }

    /** A watched key was re-read and its listeners told; {@code lagMillis} is from the event to the end of the read. */
    default void notified(String key, long lagMillis) {
    }
}
