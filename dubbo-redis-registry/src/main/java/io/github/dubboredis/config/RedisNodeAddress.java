package io.github.dubboredis.config;

import java.util.Objects;

/** One Redis server (or sentinel, or cluster seed) as {@code host:port}. */
public final class RedisNodeAddress {

    public static final int DEFAULT_PORT = 6379;

    private final String host;
    private final int port;

    public RedisNodeAddress(String host, int port) {
        this.host = Objects.requireNonNull(host, "host");
        this.port = port;
    }

    /**
     * Parses {@code host}, {@code host:port} or {@code [ipv6]:port}.
     *
     * @param setting the setting the text came from, named in the error
     */
    public static RedisNodeAddress parse(String text, String setting) {
        String s = text == null ? "" : text.trim();
        if (s.isEmpty()) {
            throw new InvalidSettingException(setting, "empty address");
        }
        int at = s.lastIndexOf('@');
        if (at >= 0) {
            // Never echo what comes before '@': it may be a user name and password.
            throw new InvalidSettingException(setting, "'...@" + s.substring(at + 1) + "' carries credentials, which only "
                    + "the registry address itself or 'username'/'password' may (the part before '@' is not shown)");
        }
        String host;
        String portText = null;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0) {
                throw new InvalidSettingException(setting, "'" + s + "' has no closing ']' for its IPv6 host");
            }
            host = s.substring(1, close);
            String rest = s.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    throw new InvalidSettingException(setting, "'" + s + "' is not of the form [host]:port");
                }
                portText = rest.substring(1);
            }
        } else {
            int colon = s.lastIndexOf(':');
            if (colon >= 0 && s.indexOf(':') != colon) {
                throw new InvalidSettingException(setting, "'" + s + "': write an IPv6 host in brackets, as [::1]:6379");
            }
            host = colon < 0 ? s : s.substring(0, colon);
            portText = colon < 0 ? null : s.substring(colon + 1);
        }
        if (host.isEmpty() || host.chars().anyMatch(c -> Character.isWhitespace(c) || c == '/' || c == '@' || c == ',')) {
            throw new InvalidSettingException(setting, "'" + s + "' does not start with a host name");
        }
        int port = DEFAULT_PORT;
        if (portText != null) {
            try {
                port = Integer.parseInt(portText);
            } catch (NumberFormatException e) {
                throw new InvalidSettingException(setting, "'" + s + "' has a port that is not a number");
            }
        }
        if (port < 1 || port > 65535) {
            throw new InvalidSettingException(setting, "'" + s + "' has port " + port + ", outside 1..65535");
        }
        return new RedisNodeAddress(host, port);
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RedisNodeAddress other && host.equals(other.host) && port == other.port;
    }

    @Override
    public int hashCode() {
        return host.hashCode() * 31 + port;
    }

    @Override
    public String toString() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
}
