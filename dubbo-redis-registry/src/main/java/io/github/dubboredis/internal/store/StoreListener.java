package io.github.dubboredis.internal.store;

/**
 * What a {@link RegistryStore} tells the registries built on it. Called on the store's executor thread.
 * Pub/sub is fire-and-forget, so the two "restored" callbacks are where lost messages are made good.
 */
public interface StoreListener {

    /** A message on an exact channel. */
    default void onMessage(String channel, String message) {
    }

    /** A message on a channel matching a subscribed pattern. */
    default void onPatternMessage(String pattern, String channel, String message) {
    }

    /**
     * Commands reach a node again after they could not (a reconnect, or a move to another node):
     * whatever that node lost must be written again, and reads that failed meanwhile sent again.
     */
    default void onWritesRestored(String node) {
    }

    /**
     * Subscriptions are active again after a gap in which messages may have been lost: everything
     * watched must be read again.
     */
    default void onSubscriptionsRestored(String node) {
    }

    /**
     * Whether this listener reports what happens to the connection (warnings, information, losses) to the
     * operator. A store tells such a listener, and keeps what comes before there is one.
     */
    default boolean reportsConnectionEvents() {
        return false;
    }

    /** Something the operator should know about a node, though it works. Told to one reporting listener. */
    default void onWarning(String node, String message) {
    }

    /** How the store works, said once (for instance how dead connections are noticed). */
    default void onInfo(String node, String message) {
    }

    /**
     * A node stopped answering. Every listener hears it; {@code reportedToAnother} is true for all but the
     * first, so that registries sharing this store log it once while each still counts it.
     */
    default void onConnectionLost(String node, String cause, boolean reportedToAnother) {
    }
}
