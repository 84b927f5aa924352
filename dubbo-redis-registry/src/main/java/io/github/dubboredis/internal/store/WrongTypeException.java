package io.github.dubboredis.internal.store;

import io.github.dubboredis.text.Printable;

/** A key holds another Redis type than the one the registry expects (WRONGTYPE). */
public final class WrongTypeException extends RedisAccessException {

    private final String key;

    public WrongTypeException(String key, String node, String expectedType) {
        super("key '" + Printable.of(key) + "' on " + node + " is not a " + expectedType + " (WRONGTYPE)", null);
        this.key = key;
    }

    public String key() {
        return key;
    }
}
