package io.github.dubboredis.dubbo;

import static org.apache.dubbo.common.constants.LoggerCodeConstants.CONFIG_FAILED_NOTIFY_EVENT;
import static org.apache.dubbo.common.constants.LoggerCodeConstants.CONFIG_PARAMETER_FORMAT_ERROR;
import static org.apache.dubbo.common.constants.LoggerCodeConstants.CONFIG_SERVER_DISCONNECTED;

import java.util.List;
import java.util.stream.Collectors;

import org.apache.dubbo.common.logger.ErrorTypeAwareLogger;
import org.apache.dubbo.common.logger.LoggerFactory;

import io.github.dubboredis.internal.configcenter.ConfigCenterObserver;
import io.github.dubboredis.text.Printable;

/**
 * Writes what the configuration centre reports into Dubbo's log, with Dubbo's configuration logger codes. Every
 * piece of Redis data (keys, messages) is escaped and cut ({@link Printable}).
 */
final class DubboConfigCenterLog implements ConfigCenterObserver {

    private static final ErrorTypeAwareLogger logger = LoggerFactory.getErrorTypeAwareLogger(DubboConfigCenterLog.class);

    private final String redis;

    DubboConfigCenterLog(String redis) {
        this.redis = redis;
    }

    @Override
    public void malformedKey(String redisKey, String reason) {
        logger.warn(CONFIG_PARAMETER_FORMAT_ERROR, "a key of the configuration centre was written by something else",
                "delete the key, and publish the group's configuration again", "Redis key '" + Printable.of(redisKey) + "' of "
                        + redis + " " + Printable.of(reason, 400) + " (said once)");
    }

    @Override
    public void contentTooLarge(String redisKey, String key, long size, long limit) {
        logger.warn(CONFIG_PARAMETER_FORMAT_ERROR, "configuration was written by another tool",
                "write a smaller configuration (dubbo-redis-cli config put checks it)", "Configuration '" + Printable.of(key)
                        + "' in Redis key '" + Printable.of(redisKey) + "' of " + redis + " is " + size + " bytes, more than "
                        + limit + ": not read; its listeners keep what they have (said once)");
    }

    @Override
    public void reportsSuppressed(long count) {
        logger.warn(CONFIG_PARAMETER_FORMAT_ERROR, "many keys hold bad data", "run dubbo-redis-cli config ls",
                count + " more report(s) of bad configuration data in Redis " + redis + " were left out of the log");
    }

    @Override
    public void dataLost(String redisKey, int held, List<String> examples) {
        logger.warn(CONFIG_SERVER_DISCONNECTED, "Redis restarted without its data, was flushed, failed over to a node "
                + "without it, or the data marker was overwritten", "publish the rules again (dubbo-redis-cli config put), "
                + "or remove the ones no longer wanted (config rm); enable persistence and replication",
                "Redis configuration centre " + redis + " lost the data of '" + Printable.of(redisKey) + "': this application "
                        + "keeps the " + held + " rule(s) it had whose content vanished"
                        + (examples.isEmpty() ? "" : " (" + examples.stream().map(Printable::of).collect(Collectors.joining(", "))
                        + (held > examples.size() ? ", ..." : "") + ")")
                        + " until each is published or removed again; applications started from now on do not have them");
    }

    @Override
    public void channelRefused(String channel, String reason, long resyncMillis) {
        logger.warn(CONFIG_SERVER_DISCONNECTED, "the Redis user may not subscribe to the configuration channels",
                "allow the channels '&dubbo-redis:*' (see the ACL rule in docs/hostile-input.md#acl)", "Redis configuration centre " + redis
                        + " cannot subscribe to " + Printable.of(channel) + " (" + Printable.of(reason) + "): changes arrive only "
                        + (resyncMillis > 0 ? "with the re-read every " + resyncMillis + " ms (setting 'resync.period')"
                        : "never ('resync.period' is 0)"));
    }

    @Override
    public void readsFailing(String redisDescription, Throwable cause) {
        logger.warn(CONFIG_SERVER_DISCONNECTED, "Redis is unreachable or too slow", "",
                "Redis configuration centre " + redisDescription + " cannot read the configuration it listens to: "
                        + message(cause) + "; listeners keep what they have, and everything is read again when Redis answers");
    }

    @Override
    public void readsRecovered(String redisDescription) {
        logger.info("Redis configuration centre " + redisDescription + " reads the configuration it listens to again");
    }

    @Override
    public void listenerFailed(String group, String key, Throwable failure) {
        logger.error(CONFIG_FAILED_NOTIFY_EVENT, "a configuration listener failed", "",
                "Failed to notify the change of configuration '" + Printable.of(key) + "' (group '" + Printable.of(group) + "'): "
                        + failure, failure);
    }

    @Override
    public void connectionLost(String node, String cause, boolean reportedByAnother) {
        if (!reportedByAnother) {
            logger.warn(CONFIG_SERVER_DISCONNECTED, "Redis restarted, or the network failed", "", "Lost the connection to "
                    + "Redis node " + node + " (" + cause + "); reconnecting, then writing and reading everything again");
        }
    }

    @Override
    public void connectionWarning(String node, String message) {
        logger.warn(CONFIG_SERVER_DISCONNECTED, "", "", "Redis node " + node + ": " + message);
    }

    @Override
    public void connectionInfo(String node, String message) {
        if (logger.isInfoEnabled()) {
            logger.info("Redis node " + node + ": " + message);
        }
    }

    private static String message(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && (c instanceof java.util.concurrent.CompletionException
                || c instanceof java.util.concurrent.ExecutionException)) {
            c = c.getCause();
        }
        return Printable.of(c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage(), 400);
    }
}
