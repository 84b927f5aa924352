package io.github.dubboredis.internal.store;

import java.util.concurrent.TimeoutException;

/**
 * Redis could not be used: unreachable or timed out (this class itself), or it answered with a refusal (the
 * subclasses). The Redis layer translates every client failure into one of these before it crosses the
 * store interface. The message names the node and says what the user can check; it never contains a
 * secret, and Redis data in it is escaped.
 */
public class RedisAccessException extends RuntimeException {

    public RedisAccessException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The credentials were refused; retrying will not help. */
    public static final class AuthenticationFailed extends RedisAccessException {
        public AuthenticationFailed(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** A setting the server rejects, such as a database index it does not have; retrying will not help. */
    public static final class Misconfigured extends RedisAccessException {
        public Misconfigured(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Redis answered a command with an error (other than the cases above): it is there, but said no. */
    public static final class Refused extends RedisAccessException {
        public Refused(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * Whether a failure means Redis could not be reached or did not answer in time, as opposed to an
     * answer that was an error (credentials, permissions, a key of the wrong type, a script error).
     * Only the former says anything about whether owners could renew their entries.
     */
    public static boolean isUnavailability(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof AuthenticationFailed || t instanceof Misconfigured || t instanceof Refused
                    || t instanceof WrongTypeException) {
                return false;
            }
            if (t instanceof RedisAccessException || t instanceof TimeoutException) {
                return true;
            }
        }
        return false;
    }

    /** Whether a failure (anywhere in its cause chain) is a key of another type than the command needs. */
    public static boolean isWrongType(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof WrongTypeException) {
                return true;
            }
        }
        return false;
    }
}
