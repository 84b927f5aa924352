package io.github.dubboredis.internal.store;

/**
 * A hash's change sequence (0: none) and size (HLEN), read together in one step: what anti-entropy compares
 * with what a subscriber holds, without reading the hash.
 */
public record KeyProbe(long sequence, long size) {
}
