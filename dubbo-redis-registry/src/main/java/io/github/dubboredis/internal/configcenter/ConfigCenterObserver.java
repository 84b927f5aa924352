package io.github.dubboredis.internal.configcenter;

import java.util.List;

/**
 * What the configuration centre reports: problems for the log (the Dubbo adapter escapes every piece of Redis
 * data in them). Called on the store's thread, except {@link #listenerFailed} (on the delivery executor); must
 * not block. Reports of bad data arrive already bounded: once per key and problem, a few a minute at most.
 */
public interface ConfigCenterObserver {

    ConfigCenterObserver NONE = new ConfigCenterObserver() {
    };

    /** A key of the configuration centre holds something it cannot use (another type); skipped. */
    default void malformedKey(String redisKey, String reason) {
    }

    /** An entry is longer than the centre reads; its listeners keep what they had. */
    default void contentTooLarge(String redisKey, String key, long size, long limit) {
    }

    /** Reports of bad data left out because too many came at once, since the last such call. */
    default void reportsSuppressed(long count) {
    }

    /**
     * Redis lost a group's data (its marker vanished or changed): the entries listened to whose content vanished
     * are kept until their keys are written or removed again.
     *
     * @param held how many entries are kept now
     * @param examples some of their keys (raw: escape before showing)
     */
    default void dataLost(String redisKey, int held, List<String> examples) {
    }

    /** The channel of a group cannot be subscribed (an ACL): changes arrive only with the periodic re-read. */
    default void channelRefused(String channel, String reason, long resyncMillis) {
    }

    /** Reading listened entries failed; said when reads start failing, not on every failure. */
    default void readsFailing(String redis, Throwable cause) {
    }

    /** Reads work again after {@link #readsFailing}. */
    default void readsRecovered(String redis) {
    }

    /** A listener threw. */
    default void listenerFailed(String group, String key, Throwable failure) {
    }

    /** A connection to a Redis node was lost; {@code reportedByAnother}: a registry on it has said so already. */
    default void connectionLost(String node, String cause, boolean reportedByAnother) {
    }

    /** Something about a Redis node the operator should know, though it works. */
    default void connectionWarning(String node, String message) {
    }

    /** How the connection works, said once. */
    default void connectionInfo(String node, String message) {
    }
}
