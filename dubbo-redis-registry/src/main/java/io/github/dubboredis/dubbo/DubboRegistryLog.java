package io.github.dubboredis.dubbo;

import static org.apache.dubbo.common.constants.LoggerCodeConstants.REGISTRY_ADDRESS_INVALID;
import static org.apache.dubbo.common.constants.LoggerCodeConstants.REGISTRY_FAILED_NOTIFY_EVENT;
import static org.apache.dubbo.common.constants.LoggerCodeConstants.REGISTRY_SOCKET_EXCEPTION;

import org.apache.dubbo.common.logger.ErrorTypeAwareLogger;
import org.apache.dubbo.common.logger.LoggerFactory;

import io.github.dubboredis.config.RedisRegistrySettings;
import io.github.dubboredis.internal.report.RegistryObserver;
import io.github.dubboredis.text.Printable;

/**
 * Writes what the registry reports into Dubbo's log, with Dubbo's registry logger codes. Every piece of data
 * that came from Redis (keys, fields, messages) is escaped and cut ({@link Printable}): anyone who can write
 * to the keyspace must not be able to forge a log line or flood the log.
 */
final class DubboRegistryLog implements RegistryObserver {

    private static final ErrorTypeAwareLogger logger = LoggerFactory.getErrorTypeAwareLogger(DubboRegistryLog.class);

    private final String redis;

    DubboRegistryLog(RedisRegistrySettings settings) {
        this.redis = settings.connection().describe();
    }

    @Override
    public void malformedEntries(String key, int count, String exampleField, String reason) {
        logger.warn(REGISTRY_ADDRESS_INVALID, "registrations were written by hand or by a broken client",
                "remove the fields with HDEL, or fix their values (dubbo-redis-cli show lists them)",
                "Skipping " + count + " unreadable entr" + (count == 1 ? "y" : "ies") + " in Redis key '" + Printable.of(key)
                        + "' of " + redis + ", e.g. '" + Printable.of(exampleField) + "': " + Printable.of(reason)
                        + " (said once per key)");
    }

    @Override
    public void malformedKey(String key, String reason) {
        logger.warn(REGISTRY_ADDRESS_INVALID, "a key of the registry was written by something else",
                "move the key out of the registry root, or delete it", "Redis key '" + Printable.of(key) + "' of " + redis
                        + ": " + Printable.of(reason, 400));
    }

    @Override
    public void keyTooLarge(String key, long size, long limit) {
        logger.warn(REGISTRY_ADDRESS_INVALID, "a key holds more entries than the registry reads",
                "remove the stale entries, or raise 'key.max-entries'", "Redis key '" + Printable.of(key) + "' of " + redis
                        + " holds " + size + " entries, more than " + limit + " (setting 'key.max-entries'): not read, "
                        + "its watchers keep what they had; every other key works");
    }

    @Override
    public void reportsSuppressed(long count) {
        logger.warn(REGISTRY_ADDRESS_INVALID, "many keys hold bad data", "run dubbo-redis-cli doctor",
                count + " more report(s) of bad data in Redis " + redis + " were left out of the log (at most 10 a minute)");
    }

    @Override
    public void connectionLost(String node, String cause, boolean reportedByAnother) {
        if (reportedByAnother) {
            return;
        }
        logger.warn(REGISTRY_SOCKET_EXCEPTION, "Redis restarted, or the network failed", "",
                "Lost the connection to Redis registry node " + node + " (" + cause
                        + "); reconnecting, then re-registering and re-reading everything");
    }

    @Override
    public void connectionWarning(String node, String message) {
        logger.warn(REGISTRY_SOCKET_EXCEPTION, "", "", "Redis registry node " + node + ": " + message);
    }

    @Override
    public void connectionInfo(String node, String message) {
        if (logger.isInfoEnabled()) {
            logger.info("Redis registry " + node + ": " + message);
        }
    }

    @Override
    public void reRegistered(String node, int entries) {
        if (logger.isInfoEnabled()) {
            logger.info("Redis registry node " + node + " is back: wrote " + entries + " registration(s) again");
        }
    }

    @Override
    public void resynced(String node, int keys) {
        if (logger.isDebugEnabled()) {
            logger.debug("Redis registry " + redis + ": checking " + keys + " watched key(s) (" + node + ")");
        }
    }

    @Override
    public void backgroundJobFailed(String what, Throwable cause) {
        logger.warn(REGISTRY_SOCKET_EXCEPTION, "Redis is unreachable or too slow", "",
                "Redis registry " + redis + " could not " + what + ": " + message(cause) + "; retrying", null);
    }

    @Override
    public void backgroundJobRecovered(String what) {
        logger.info("Redis registry " + redis + " can " + what + " again");
    }

    @Override
    public void dataLost(String redisDescription, long holdMillis, long lossesWithoutHold) {
        logger.warn(REGISTRY_SOCKET_EXCEPTION, "Redis restarted without its data, was flushed, failed over to a node without "
                + "it, or its data marker was overwritten", "enable persistence and replication on the registry's Redis",
                "Redis registry " + redisDescription + " lost its data: registering everything again; consumers keep "
                        + "their provider lists for " + holdMillis + " ms while providers register again"
                        + (lossesWithoutHold > 0 ? " (" + lossesWithoutHold + " more loss(es) were seen too soon after the "
                        + "last hold to get one)" : ""));
    }

    @Override
    public void reaped(String key, int entries) {
        if (logger.isInfoEnabled()) {
            logger.info("Removed " + entries + " expired registration(s) from " + Printable.of(key)
                    + " (their owner stopped renewing)");
        }
    }

    @Override
    public void listenerFailed(String what, Throwable t) {
        logger.error(REGISTRY_FAILED_NOTIFY_EVENT, "a registry listener failed", "",
                "Failed to notify the change of " + Printable.of(what) + ": " + t, t);
    }

    private static String message(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && (c instanceof java.util.concurrent.CompletionException
                || c instanceof java.util.concurrent.ExecutionException)) {
            c = c.getCause();
        }
        return c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
    }
}
