package io.github.dubboredis.internal.configcenter;

import java.util.Optional;

import io.github.dubboredis.internal.model.Keyspace;

/**
 * Every Redis key and channel of one configuration-centre namespace. A group is one hash, {@code
 * dubbo-redis:{config:<namespace>:<group>}} (field = configuration key, value = its content), with its data
 * marker and its change channel beside it; the braces put the three in one Redis Cluster slot. Nothing lives
 * under the interface-level root {@code /dubbo/}, so older registries and admins never meet it, and the ACL rule
 * for the registry's own keys ({@code ~dubbo-redis:* &dubbo-redis:*}) covers it.
 */
public final class ConfigKeyspace {

    /** What Dubbo calls the default namespace and group. */
    public static final String DEFAULT = "dubbo";
    /** The longest group or namespace name taken: a name is part of every key. */
    static final int MAX_NAME_LENGTH = 256;
    /** The longest configuration key taken (Dubbo's are a service key and a suffix). */
    static final int MAX_KEY_LENGTH = 1024;

    private final String namespace;

    public ConfigKeyspace(String namespace) {
        this.namespace = checkName("namespace", namespace == null || namespace.isBlank() ? DEFAULT : namespace);
    }

    public String namespace() {
        return namespace;
    }

    /** The hash of a group: field = key, value = content. */
    public String hashKey(String group) {
        return prefix() + checkName("group", group) + "}";
    }

    /** Where every change of a group is announced: the changed key's name. */
    public String channel(String group) {
        return hashKey(group) + ":changes";
    }

    /** A random value that changes when Redis loses the group's data (see {@code ConfigWatch}). */
    public String markerKey(String group) {
        return hashKey(group) + ":epoch";
    }

    /** The SCAN pattern of every key of this namespace (hashes, markers and whatever else is there). */
    public String pattern() {
        return escapeGlob(prefix()) + "*";
    }

    /** The group of a group's hash key; empty for any other key (a marker, or something written by hand). */
    public Optional<String> groupOf(String redisKey) {
        String p = prefix();
        if (!redisKey.startsWith(p) || !redisKey.endsWith("}")) {
            return Optional.empty();
        }
        String group = redisKey.substring(p.length(), redisKey.length() - 1);
        try {
            return Optional.of(checkName("group", group));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private String prefix() {
        return Keyspace.PRIVATE_PREFIX + "{config:" + namespace + ":";
    }

    /**
     * A group or namespace name: not empty, at most {@value #MAX_NAME_LENGTH} characters, no braces (they would
     * move the Cluster hash tag) and no control characters.
     */
    static String checkName(String what, String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("the configuration " + what + " must not be empty");
        }
        if (name.length() > MAX_NAME_LENGTH) {
            throw new IllegalArgumentException("the configuration " + what + " is " + name.length()
                    + " characters long; at most " + MAX_NAME_LENGTH + " are taken");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '{' || c == '}' || Character.isISOControl(c)) {
                throw new IllegalArgumentException("the configuration " + what + " '" + io.github.dubboredis.text.Printable.of(name)
                        + "' contains " + (c == '{' || c == '}' ? "'" + c + "'" : "a control character")
                        + ", which the Redis configuration centre does not take");
            }
        }
        return name;
    }

    /** A configuration key to read or remove: not empty, at most {@value #MAX_KEY_LENGTH} characters. */
    static String checkKey(String key) {
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException("the configuration key must not be empty");
        }
        if (key.length() > MAX_KEY_LENGTH) {
            throw new IllegalArgumentException("the configuration key is " + key.length() + " characters long; at most "
                    + MAX_KEY_LENGTH + " are taken");
        }
        return key;
    }

    /**
     * A configuration key to write: as {@link #checkKey}, and no control characters (whatever another client wrote
     * can still be read and removed).
     */
    static String checkWritableKey(String key) {
        checkKey(key);
        for (int i = 0; i < key.length(); i++) {
            if (Character.isISOControl(key.charAt(i))) {
                throw new IllegalArgumentException("the configuration key '" + io.github.dubboredis.text.Printable.of(key)
                        + "' contains a control character");
            }
        }
        return key;
    }

    private static String escapeGlob(String s) {
        StringBuilder out = new StringBuilder(s.length() + 8);
        for (char c : s.toCharArray()) {
            if ("*?[]\\".indexOf(c) >= 0) {
                out.append('\\');
            }
            out.append(c);
        }
        return out.toString();
    }

    @Override
    public String toString() {
        return "configuration namespace '" + namespace + "'";
    }
}
