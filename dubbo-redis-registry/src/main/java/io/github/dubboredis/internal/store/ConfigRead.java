package io.github.dubboredis.internal.store;

import java.util.Map;

/**
 * What one read of a configuration hash found, taken in one atomic step.
 *
 * @param marker the group's data marker; null when missing (or not a string)
 * @param keyType the hash's Redis type: {@code hash}, {@code none} (then every entry is absent) or another one
 *     (someone overwrote it; then no entry was read)
 * @param entries each field asked for, in the order asked
 */
public record ConfigRead(String marker, String keyType, Map<String, ConfigValue> entries) {

    /** Whether the key holds something that is not a hash: nothing in it can be read. */
    public boolean wrongType() {
        return !"hash".equals(keyType) && !"none".equals(keyType);
    }
}
