package io.github.dubboredis.internal.report;

import java.util.List;
import java.util.function.Consumer;

/**
 * What the registry reports about itself: problems for the log, events for metrics. The Dubbo adapter logs
 * these with Dubbo's logger codes (escaping every piece of Redis data); a metrics binder counts them. Called
 * on the registry's own thread; implementations must not block. Reports of bad data arrive already bounded
 * (see {@link ReportLimiter}): a flood of garbage costs a few lines, not one per entry.
 */
public interface RegistryObserver {

    RegistryObserver NONE = new RegistryObserver() {
    };

    /** Tells every observer everything, in order. */
    static RegistryObserver all(List<RegistryObserver> observers) {
        List<RegistryObserver> list = observers.stream().filter(o -> o != NONE).toList();
        return list.size() == 1 ? list.get(0) : new Composite(list);
    }

    /**
     * Fields of one key that cannot be read (skipped; the good entries beside them are used).
     *
     * @param count how many in this read
     * @param exampleField one of them (raw: escape it before showing it)
     * @param reason why that one cannot be read
     */
    default void malformedEntries(String key, int count, String exampleField, String reason) {
    }

    /** A key that is not a hash, or not a category key, or whose own data the registry repaired; it is skipped. */
    default void malformedKey(String key, String reason) {
    }

    /** A key with more entries than {@code key.max-entries}: it is not read (every other key works). */
    default void keyTooLarge(String key, long size, long limit) {
    }

    /** Reports of bad data that were left out because too many came at once, since the last such call. */
    default void reportsSuppressed(long count) {
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

    /** How the connection works, said once (for instance how dead connections are noticed). */
    default void connectionInfo(String node, String message) {
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
     * Redis lost the registry's data (restarted empty, flushed, failed over to a node without it). Watches
     * keep what they had for {@code holdMillis} while owners register again; {@code lossesWithoutHold}
     * more losses were seen since the last hold, too soon after it to get one.
     */
    default void dataLost(String redis, long holdMillis, long lossesWithoutHold) {
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

    /** A watched key's listeners were told of a change; {@code lagMillis} from the message to the news. */
    default void notified(String key, long lagMillis) {
    }

    /** Passes every report to each observer of a list. */
    final class Composite implements RegistryObserver {
        private final List<RegistryObserver> observers;

        Composite(List<RegistryObserver> observers) {
            this.observers = List.copyOf(observers);
        }

        private void each(Consumer<RegistryObserver> report) {
            for (RegistryObserver o : observers) {
                report.accept(o);
            }
        }

        @Override
        public void malformedEntries(String key, int count, String exampleField, String reason) {
            each(o -> o.malformedEntries(key, count, exampleField, reason));
        }

        @Override
        public void malformedKey(String key, String reason) {
            each(o -> o.malformedKey(key, reason));
        }

        @Override
        public void keyTooLarge(String key, long size, long limit) {
            each(o -> o.keyTooLarge(key, size, limit));
        }

        @Override
        public void reportsSuppressed(long count) {
            each(o -> o.reportsSuppressed(count));
        }

        @Override
        public void connectionLost(String node, String cause, boolean reportedByAnother) {
            each(o -> o.connectionLost(node, cause, reportedByAnother));
        }

        @Override
        public void connectionWarning(String node, String message) {
            each(o -> o.connectionWarning(node, message));
        }

        @Override
        public void connectionInfo(String node, String message) {
            each(o -> o.connectionInfo(node, message));
        }

        @Override
        public void reRegistered(String node, int entries) {
            each(o -> o.reRegistered(node, entries));
        }

        @Override
        public void resynced(String node, int keys) {
            each(o -> o.resynced(node, keys));
        }

        @Override
        public void backgroundJobFailed(String what, Throwable cause) {
            each(o -> o.backgroundJobFailed(what, cause));
        }

        @Override
        public void backgroundJobRecovered(String what) {
            each(o -> o.backgroundJobRecovered(what));
        }

        @Override
        public void dataLost(String redis, long holdMillis, long lossesWithoutHold) {
            each(o -> o.dataLost(redis, holdMillis, lossesWithoutHold));
        }

        @Override
        public void listenerFailed(String what, Throwable cause) {
            each(o -> o.listenerFailed(what, cause));
        }

        @Override
        public void reaped(String key, int entries) {
            each(o -> o.reaped(key, entries));
        }

        @Override
        public void closed() {
            each(RegistryObserver::closed);
        }

        @Override
        public void notified(String key, long lagMillis) {
            each(o -> o.notified(key, lagMillis));
        }
    }
}
