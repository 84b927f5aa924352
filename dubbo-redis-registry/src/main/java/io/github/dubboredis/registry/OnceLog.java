package io.github.dubboredis.registry;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Remembers what was already reported, so a piece of garbage in Redis is logged once rather than on
 * every read. Bounded: after {@value #CAPACITY} distinct reports the oldest are forgotten.
 */
public final class OnceLog {

    private static final int CAPACITY = 10_000;

    private final Set<String> seen = Collections.newSetFromMap(new LinkedHashMap<>(64, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > CAPACITY;
        }
    });

    /** True the first time this report is seen. */
    public synchronized boolean firstTime(String report) {
        return seen.add(report);
    }
}
