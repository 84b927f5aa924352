package io.github.dubboredis.redis;

/** A key holds another Redis type than the one the registry expects (WRONGTYPE). */
public final class WrongTypeException extends RedisAccessException {

    private final String key;

    public WrongTypeException(String key, String node) {
        super("key '" + key + "' on " + node + " is not a hash (WRONGTYPE); skipped", null);
        this.key = key;
    }

    public String key() {
        return key;
    }
}
