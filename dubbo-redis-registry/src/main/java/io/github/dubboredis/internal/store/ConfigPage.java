package io.github.dubboredis.internal.store;

import java.util.Map;

/**
 * One page of a configuration hash's fields (HSCAN), with each one's length in bytes; {@code next} is where the
 * next page starts, null when done. A field may appear on two pages.
 */
public record ConfigPage(Map<String, Long> sizes, Object next) {

    public boolean last() {
        return next == null;
    }
}
