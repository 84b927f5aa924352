package io.github.dubboredis.internal.configcenter;

/**
 * A configuration entry as read for a compare-and-set: its content (null when there is none) and its ticket (the
 * SHA-1 of the stored bytes; null when the entry does not exist).
 */
public record StoredConfig(String content, String ticket) {
}
