package io.github.dubboredis.internal.configcenter;

/**
 * A change of one configuration entry as its listeners hear it: created ({@code ADDED}), changed ({@code
 * MODIFIED}) or removed ({@code DELETED}, content null).
 */
public record ConfigChange(String group, String key, String content, Type type) {

    public enum Type { ADDED, MODIFIED, DELETED }
}
