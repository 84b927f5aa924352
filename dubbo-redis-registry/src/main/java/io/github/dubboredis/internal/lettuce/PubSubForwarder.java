package io.github.dubboredis.internal.lettuce;

import io.lettuce.core.pubsub.RedisPubSubAdapter;

/** Passes the messages of a link's pub/sub connection on to its store, naming the link. */
final class PubSubForwarder extends RedisPubSubAdapter<String, String> {

    private final NodeLink link;
    private final NodeLink.Events events;

    PubSubForwarder(NodeLink link, NodeLink.Events events) {
        this.link = link;
        this.events = events;
    }

    @Override
    public void message(String channel, String message) {
        events.message(link, channel, message);
    }

    @Override
    public void message(String pattern, String channel, String message) {
        events.patternMessage(link, pattern, channel, message);
    }
}
