package io.github.dubboredis.config;

import java.time.Duration;
import java.util.Objects;

/**
 * Everything one registry needs: how to reach Redis, where its data lives (the root, from
 * {@code group}), how long a registration lives without renewal ({@code session}) and whether
 * start-up must fail when Redis cannot be reached ({@code check}).
 */
public final class RedisRegistrySettings {

    public static final Duration DEFAULT_SESSION = Duration.ofSeconds(60);
    public static final Duration MIN_SESSION = Duration.ofSeconds(1);
    public static final String DEFAULT_GROUP = "dubbo";
    public static final long DEFAULT_KEY_MAX_ENTRIES = 100_000;

    private final ConnectionSettings connection;
    private final String root;
    private final Duration session;
    private final Duration reapGrace;
    private final Duration resyncPeriod;
    private final boolean check;
    private final long maxEntriesPerKey;

    public RedisRegistrySettings(ConnectionSettings connection, String root, Duration session, Duration reapGrace,
            Duration resyncPeriod, boolean check, long maxEntriesPerKey) {
        this.connection = Objects.requireNonNull(connection, "connection");
        this.root = Objects.requireNonNull(root, "root");
        this.session = Objects.requireNonNull(session, "session");
        this.reapGrace = Objects.requireNonNull(reapGrace, "reapGrace");
        this.resyncPeriod = Objects.requireNonNull(resyncPeriod, "resyncPeriod");
        this.check = check;
        this.maxEntriesPerKey = maxEntriesPerKey;
        if (maxEntriesPerKey < 1) {
            throw new InvalidSettingException(SettingNames.KEY_MAX_ENTRIES, "must be at least 1, was " + maxEntriesPerKey);
        }
        if (session.compareTo(MIN_SESSION) < 0) {
            throw new InvalidSettingException(SettingNames.SESSION,
                    "must be at least " + MIN_SESSION.toMillis() + " ms, was " + session.toMillis() + " ms");
        }
        if (reapGrace.isNegative()) {
            throw new InvalidSettingException(SettingNames.REAP_GRACE, "must not be negative");
        }
        if (resyncPeriod.isNegative() || (!resyncPeriod.isZero() && resyncPeriod.toMillis() < 100)) {
            throw new InvalidSettingException(SettingNames.RESYNC_PERIOD, "must be 0 (off) or at least 100 ms, was "
                    + resyncPeriod.toMillis() + " ms");
        }
    }

    /**
     * The key prefix for a {@code group}: {@code /} + group unless it already starts with one, ending
     * in {@code /}. The default group {@code dubbo} gives {@code /dubbo/}, as in the older registry.
     */
    public static String rootForGroup(String group) {
        String g = group == null || group.isBlank() ? DEFAULT_GROUP : group.trim();
        for (char c : g.toCharArray()) {
            if (Character.isWhitespace(c) || "*?[]\\".indexOf(c) >= 0) {
                throw new InvalidSettingException(SettingNames.GROUP,
                        "'" + g + "' contains '" + c + "', which cannot be part of a Redis key pattern");
            }
        }
        if (!g.startsWith("/")) {
            g = "/" + g;
        }
        if (!g.endsWith("/")) {
            g = g + "/";
        }
        return g;
    }

    /** The default anti-entropy period: half the session (see {@link SettingNames#RESYNC_PERIOD}). */
    public static Duration defaultResyncPeriod(Duration session) {
        return session.dividedBy(2);
    }

    /** The default reap grace: a quarter of the session (see {@link SettingNames#REAP_GRACE}). */
    public static Duration defaultReapGrace(Duration session) {
        return session.dividedBy(4);
    }

    public ConnectionSettings connection() {
        return connection;
    }

    /** The key prefix, e.g. {@code /dubbo/}. */
    public String root() {
        return root;
    }

    public Duration session() {
        return session;
    }

    /**
     * How long past its expiry an entry that this registry did not write is kept before it is reaped:
     * older registries stamp expiry with their own clock, and a slightly slow clock must not make a
     * live provider flap.
     */
    public Duration reapGrace() {
        return reapGrace;
    }

    /** How often every watched key is read again (anti-entropy); zero: never. */
    public Duration resyncPeriod() {
        return resyncPeriod;
    }

    public boolean check() {
        return check;
    }

    /** The most entries a watched key may have; a bigger one is refused (reported once), the others work. */
    public long maxEntriesPerKey() {
        return maxEntriesPerKey;
    }

    @Override
    public String toString() {
        return "RedisRegistrySettings{" + connection + ", root=" + root + ", session=" + session.toMillis()
                + "ms, reapGrace=" + reapGrace.toMillis() + "ms, resyncPeriod=" + resyncPeriod.toMillis()
                + "ms, check=" + check + ", maxEntriesPerKey=" + maxEntriesPerKey + '}';
    }
}
