package io.github.dubboredis.console;

import java.util.List;

/**
 * How the console serves: where it listens, whether actions are allowed, and its bounds.
 *
 * @param bind the address to listen on; {@code 127.0.0.1} unless the operator says otherwise
 * @param port the port; 0 picks a free one
 * @param allowWrites whether the actions (reap, failback) exist at all; they also need the start-up token
 * @param allowedHosts host names, besides the loopback names and the bind address, that the page may be reached
 *        by (the {@code Host} header is checked on every request, so a rebound DNS name reaches nothing)
 * @param maxEventClients how many live event streams may be open at once (each holds one server thread)
 * @param eventQueue events held per stream for a slow reader; more are dropped, counted and said
 * @param entriesShown entries shown per key; the rest are counted ("N more")
 * @param listLimit services, applications and mappings listed; the rest are counted
 */
public record ConsoleOptions(String bind, int port, boolean allowWrites, List<String> allowedHosts, int maxEventClients,
        int eventQueue, int entriesShown, int listLimit) {

    public static final String DEFAULT_BIND = "127.0.0.1";
    public static final int DEFAULT_PORT = 8080;

    public ConsoleOptions {
        if (bind.startsWith("[") && bind.endsWith("]")) {
            bind = bind.substring(1, bind.length() - 1); // an IPv6 literal as written in a URL
        }
        allowedHosts = List.copyOf(allowedHosts);
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0 to 65535, was " + port);
        }
        if (maxEventClients < 1 || eventQueue < 1 || entriesShown < 1 || listLimit < 1) {
            throw new IllegalArgumentException("the console's bounds must be at least 1");
        }
    }

    /** Read-only, on 127.0.0.1:8080, 8 event streams of 256 queued events, 1000 entries per key, 5000 per list. */
    public static ConsoleOptions defaults() {
        return new ConsoleOptions(DEFAULT_BIND, DEFAULT_PORT, false, List.of(), 8, 256, 1000, 5000);
    }

    public ConsoleOptions withBind(String address, int listenPort) {
        return new ConsoleOptions(address, listenPort, allowWrites, allowedHosts, maxEventClients, eventQueue, entriesShown,
                listLimit);
    }

    public ConsoleOptions withWrites(boolean allowed) {
        return new ConsoleOptions(bind, port, allowed, allowedHosts, maxEventClients, eventQueue, entriesShown, listLimit);
    }

    public ConsoleOptions withAllowedHosts(List<String> names) {
        return new ConsoleOptions(bind, port, allowWrites, names, maxEventClients, eventQueue, entriesShown, listLimit);
    }

    public ConsoleOptions withEventBounds(int clients, int queue) {
        return new ConsoleOptions(bind, port, allowWrites, allowedHosts, clients, queue, entriesShown, listLimit);
    }

    public ConsoleOptions withListBounds(int entries, int list) {
        return new ConsoleOptions(bind, port, allowWrites, allowedHosts, maxEventClients, eventQueue, entries, list);
    }
}
