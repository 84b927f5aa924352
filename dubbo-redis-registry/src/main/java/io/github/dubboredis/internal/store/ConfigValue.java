package io.github.dubboredis.internal.store;

/**
 * One configuration entry as a read found it.
 *
 * @param size its length in bytes; -1 when the entry does not exist
 * @param content its content; null when it does not exist or is longer than the read's limit
 * @param ticket the SHA-1 (hex) of the stored bytes, when the read asked for it and the entry exists; what a
 *     compare-and-set compares with
 */
public record ConfigValue(long size, String content, String ticket) {

    public static final ConfigValue ABSENT = new ConfigValue(-1, null, null);

    public boolean exists() {
        return size >= 0;
    }

    /** Whether the entry exists but was not read for its size. */
    public boolean refused() {
        return size >= 0 && content == null;
    }
}
