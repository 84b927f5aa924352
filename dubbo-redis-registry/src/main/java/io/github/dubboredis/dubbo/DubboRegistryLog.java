package io.github.dubboredis.dubbo;

import static org.apache.dubbo.common.constants.LoggerCodeConstants.REGISTRY_ADDRESS_INVALID;
import static org.apache.dubbo.common.constants.LoggerCodeConstants.REGISTRY_FAILED_NOTIFY_EVENT;
import static org.apache.dubbo.common.constants.LoggerCodeConstants.REGISTRY_SOCKET_EXCEPTION;

import org.apache.dubbo.common.logger.ErrorTypeAwareLogger;
import org.apache.dubbo.common.logger.LoggerFactory;

import io.github.dubboredis.config.RedisRegistrySettings;
import io.github.dubboredis.registry.RegistryObserver;

/** Writes what the registry reports into Dubbo's log, with Dubbo's registry logger codes. */
final class DubboRegistryLog implements RegistryObserver {

    private static final ErrorTypeAwareLogger logger = LoggerFactory.getErrorTypeAwareLogger(DubboRegistryLog.class);

    private final String redis;

    DubboRegistryLog(RedisRegistrySettings settings) {
        this.redis = settings.connection().describe();
    }

    @Override
    public void malformedEntry(String key, String field, String reason) {
        logger.warn(REGISTRY_ADDRESS_INVALID, "a registration was written by hand or by a broken client",
                "remove the field with HDEL, or fix its value", "Skipping unreadable entry in Redis key '" + key
                        + "' of " + redis + ": " + reason + "; field: " + field);
    }

    @Override
    public void malformedKey(String key, String reason) {
        logger.warn(REGISTRY_ADDRESS_INVALID, "a key under the registry root was written by something else",
                "move the key out of the registry root", "Skipping Redis key '" + key + "' of " + redis + ": " + reason);
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
    public void reRegistered(String node, int entries) {
        if (logger.isInfoEnabled()) {
            logger.info("Redis registry node " + node + " is back: wrote " + entries + " registration(s) again");
        }
    }

    @Override
    public void resynced(String node, int keys) {
        if (logger.isInfoEnabled()) {
            logger.info("Redis registry " + redis + ": re-reading " + keys + " watched key(s) (" + node + ")");
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
    public void dataLost(String redisDescription, long holdMillis) {
        logger.warn(REGISTRY_SOCKET_EXCEPTION, "Redis restarted without its data, was flushed, or failed over to a node without it",
                "enable persistence and replication on the registry's Redis",
                "Redis registry " + redisDescription + " lost its data: registering everything again; consumers keep "
                        + "their provider lists for " + holdMillis + " ms while providers register again");
    }

    @Override
    public void reaped(String key, int entries) {
        if (logger.isInfoEnabled()) {
            logger.info("Removed " + entries + " expired registration(s) from " + key + " (their owner stopped renewing)");
        }
    }

    @Override
    public void listenerFailed(String what, Throwable t) {
        logger.error(REGISTRY_FAILED_NOTIFY_EVENT, "a registry listener failed", "",
                "Failed to notify the change of " + what + ": " + t, t);
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
