package io.github.dubboredis.internal.store;

/** A member of the owners set and its score: the owner's lease expiry, on Redis's clock. */
public record Lease(String ownerId, long expiry) {
}
