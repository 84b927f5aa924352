package io.github.dubboredis.internal.store;

/** One bounded step of a removal that walks a hash: how many were removed, and where the next step starts ("0": done). */
public record ScanStep(int removed, String cursor) {

    public boolean last() {
        return "0".equals(cursor);
    }
}
