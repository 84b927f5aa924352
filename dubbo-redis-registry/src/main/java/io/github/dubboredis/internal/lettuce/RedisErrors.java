package io.github.dubboredis.internal.lettuce;

import java.net.ConnectException;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.util.Locale;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import javax.net.ssl.SSLException;

import io.github.dubboredis.config.ConnectionSettings;
import io.github.dubboredis.internal.store.RedisAccessException;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;

/**
 * Turns what the Redis client throws into one clear {@link RedisAccessException}: what failed, on which
 * node, and which setting to check. Redis's own error text is kept (it never echoes a password); the
 * client's exception messages are not, so no URI with credentials can leak through them.
 */
final class RedisErrors {

    private RedisErrors() {
    }

    static Throwable unwrap(Throwable t) {
        Throwable e = t;
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    static RedisAccessException translate(Throwable thrown, String node, ConnectionSettings settings) {
        Throwable t = unwrap(thrown);
        if (t instanceof RedisAccessException r) {
            return r;
        }
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof RedisCommandExecutionException) {
                return fromServerError(c.getMessage(), node, settings, t);
            }
            if (c instanceof RedisCommandTimeoutException) {
                return new RedisAccessException("Redis at " + node + " did not answer within "
                        + settings.commandTimeout().toMillis() + " ms (setting 'timeout')", null);
            }
            if (c instanceof SSLException) {
                return new RedisAccessException.Misconfigured("TLS handshake with Redis at " + node + " failed: "
                        + c.getMessage() + " (check the tls.* settings and the server's certificate)", null);
            }
            if (c instanceof ConnectException) {
                return new RedisAccessException("cannot reach Redis at " + node + ": connection refused", null);
            }
            if (c instanceof UnknownHostException || c instanceof UnresolvedAddressException) {
                return new RedisAccessException.Misconfigured("cannot resolve the Redis host of " + node
                        + " (setting 'address' or 'backup')", null);
            }
            if (c.getClass().getSimpleName().contains("ConnectTimeout")) {
                return new RedisAccessException("cannot reach Redis at " + node + ": no answer within "
                        + settings.connectTimeout().toMillis() + " ms (setting 'connect.timeout')", null);
            }
        }
        String what = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        if (what.contains("not connected") || what.contains("Connection closed") || what.contains("closed")) {
            return new RedisAccessException("not connected to Redis at " + node, null);
        }
        // The client's own words (its URIs print without credentials), down to the root cause.
        StringBuilder detail = new StringBuilder(t.getClass().getSimpleName() + ": " + what);
        for (Throwable c = t.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            if (c.getMessage() != null) {
                detail.append("; ").append(c.getMessage());
            }
        }
        return new RedisAccessException("Redis at " + node + " failed: " + detail, null);
    }

    private static RedisAccessException fromServerError(String message, String node, ConnectionSettings settings,
            Throwable t) {
        String m = message == null ? "" : message;
        String upper = m.toUpperCase(Locale.ROOT);
        String user = settings.username() == null ? "the default user" : "user '" + settings.username() + "'";
        if (upper.startsWith("WRONGPASS") || upper.startsWith("NOAUTH") || upper.contains("INVALID PASSWORD")
                || upper.contains("INVALID USERNAME-PASSWORD") || upper.startsWith("ERR AUTH")
                || upper.contains("AUTHENTICATION REQUIRED")) {
            return new RedisAccessException.AuthenticationFailed("Redis at " + node + " refused the credentials of "
                    + user + (settings.hasPassword() ? "" : " (no password given)")
                    + ": " + m + " (check the registry's 'username' and 'password' settings)", null);
        }
        if (upper.startsWith("NOPERM") && (upper.contains("EVAL") || upper.contains("FCALL"))) {
            return new RedisAccessException.Misconfigured("Redis at " + node + " lets " + user + " run neither the "
                    + "registry's functions nor scripts: " + m + " (load the functions once with 'dubbo-redis-cli "
                    + "functions load', or allow +evalsha +eval; see the ACL rule in docs/hostile-input.md#acl)", null);
        }
        if (upper.startsWith("NOPERM")) {
            return new RedisAccessException.Misconfigured("Redis at " + node + " denied " + user + " a command the "
                    + "registry needs: " + m + " (see docs/hostile-input.md#acl for the ACL rule the registry needs)", null);
        }
        if (upper.contains("DB INDEX") || upper.contains("INVALID DB")) {
            return new RedisAccessException.Misconfigured("Redis at " + node + " has no database "
                    + settings.database() + ": " + m + " (setting 'database' / 'db.index')", null);
        }
        return new RedisAccessException.Refused("Redis at " + node + " answered with an error: " + m, null);
    }

    static boolean isWrongType(Throwable thrown) {
        Throwable t = unwrap(thrown);
        return t instanceof RedisCommandExecutionException && t.getMessage() != null && t.getMessage().contains("WRONGTYPE");
    }

    /**
     * FCALL could not run the registry's function: the library is not loaded here (or was lost with a
     * restart), the server predates functions (Redis 6.2), or the user may not FCALL. Scripts are tried then.
     */
    static boolean isMissingFunction(Throwable thrown) {
        Throwable t = unwrap(thrown);
        if (!(t instanceof RedisCommandExecutionException) || t.getMessage() == null) {
            return false;
        }
        String m = t.getMessage();
        return m.contains("Function not found") || m.contains("unknown command") || m.startsWith("NOPERM")
                || m.contains("ERR unknown") || m.contains("Unknown command");
    }

    static boolean isNoScript(Throwable thrown) {
        Throwable t = unwrap(thrown);
        return t instanceof RedisCommandExecutionException && t.getMessage() != null && t.getMessage().startsWith("NOSCRIPT");
    }

    /**
     * Whether the client may have lost the reason a new connection failed. When a handshake fails (the
     * server refused the credentials, say), Lettuce closes the channel and only then records the cause; on
     * a busy machine the close can overtake it, and all that is reported is that the handshake handler
     * was already gone ({@code AbstractRedisClient.initializeChannelAsync0}) or that the connection closed
     * prematurely ({@code RedisHandshakeHandler.channelInactive}). Connecting again gives the real answer
     * (or the same words, if the server really does close connections during the handshake).
     */
    static boolean lostHandshakeCause(Throwable thrown) {
        return mentions(thrown, "RedisHandshakeHandler not registered") || mentions(thrown, "Connection closed prematurely");
    }

    /** Whether any exception in the cause chain has a message containing {@code text} (a server error code). */
    static boolean mentions(Throwable thrown, String text) {
        for (Throwable t = thrown; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t.getMessage() != null && t.getMessage().contains(text)) {
                return true;
            }
        }
        return false;
    }
}
