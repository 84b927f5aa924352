package io.github.dubboredis.redis;

/**
 * Redis could not be used: unreachable, timed out, refused a command, or refused our credentials.
 * The message names the node and says what the user can check; it never contains a secret.
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
}
