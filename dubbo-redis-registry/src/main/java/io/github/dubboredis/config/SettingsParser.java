package io.github.dubboredis.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads a registry address ({@code redis://host:port?backup=...&group=...}) into settings, once, checking
 * every value: each number against its range, each name against the values it may take, with a message that
 * names the setting at fault. The seed's forms all arrive here the same way: Dubbo turns
 * {@code address="h1:p1,h2:p2"} into {@code h1:p1?backup=h2:p2}.
 */
public final class SettingsParser {

    /** The existing extension's default master name, so that a configuration relying on it keeps working. */
    static final String DEFAULT_MASTER_NAME = "Sentinel-master";

    static final long MAX_TIMEOUT_MILLIS = Duration.ofMinutes(10).toMillis();
    static final long MAX_PERIOD_MILLIS = Duration.ofDays(1).toMillis();
    static final long MAX_KEY_ENTRIES = 100_000_000L;

    private SettingsParser() {
    }

    public static RedisRegistrySettings parse(RegistryAddress address) {
        Map<String, String> p = address.parameters();
        ConnectionSettings connection = ConnectionSettings.builder()
                .nodes(nodes(address))
                .topology(Topology.fromSetting(p.getOrDefault(SettingNames.REDIS_CLIENT, "mono"), SettingNames.REDIS_CLIENT))
                .multiNodeMode(MultiNodeMode.fromSetting(p.getOrDefault(SettingNames.CLUSTER, "failover"), SettingNames.CLUSTER))
                .masterName(masterName(p))
                .username(emptyToNull(first(address.username(), p.get(SettingNames.USERNAME))))
                .password(emptyToNull(first(address.password(), p.get(SettingNames.PASSWORD))))
                .database(database(p))
                .connectTimeout(millis(p, p.containsKey(SettingNames.CONNECTION_TIMEOUT) && !p.containsKey(SettingNames.CONNECT_TIMEOUT)
                        ? SettingNames.CONNECTION_TIMEOUT : SettingNames.CONNECT_TIMEOUT, Duration.ofSeconds(3), 1, MAX_TIMEOUT_MILLIS))
                .commandTimeout(millis(p, SettingNames.TIMEOUT, Duration.ofSeconds(5), 1, MAX_TIMEOUT_MILLIS))
                .reconnectPeriod(millis(p, SettingNames.RECONNECT_PERIOD, Duration.ofSeconds(3), 1, MAX_PERIOD_MILLIS))
                .tls(tls(p))
                .build();
        Duration session = millis(p, SettingNames.SESSION, RedisRegistrySettings.DEFAULT_SESSION,
                RedisRegistrySettings.MIN_SESSION.toMillis(), MAX_PERIOD_MILLIS);
        return new RedisRegistrySettings(
                connection,
                RedisRegistrySettings.rootForGroup(p.get(SettingNames.GROUP)),
                session,
                millis(p, SettingNames.REAP_GRACE, RedisRegistrySettings.defaultReapGrace(session), 0, MAX_PERIOD_MILLIS),
                resyncPeriod(p, session),
                bool(p, SettingNames.CHECK, true),
                number(p, SettingNames.KEY_MAX_ENTRIES, RedisRegistrySettings.DEFAULT_KEY_MAX_ENTRIES, 1, MAX_KEY_ENTRIES,
                        "a number of entries"));
    }

    private static String masterName(Map<String, String> p) {
        String name = emptyToNull(p.get(SettingNames.MASTER_NAME));
        if (name == null && "sentinel".equalsIgnoreCase(p.getOrDefault(SettingNames.REDIS_CLIENT, "").trim())) {
            return DEFAULT_MASTER_NAME;
        }
        return name;
    }

    private static List<RedisNodeAddress> nodes(RegistryAddress address) {
        String host = address.host() == null ? "" : address.host().trim();
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1); // an IPv6 host as the URL gave it, brackets and all
        }
        if (host.isEmpty() || "0.0.0.0".equals(host) || "::".equals(host) || "0:0:0:0:0:0:0:0".equals(host)) {
            throw new InvalidSettingException("address", "no usable Redis host in '" + (host.isEmpty() ? "(none)" : host)
                    + "'; write redis://host:port");
        }
        List<RedisNodeAddress> nodes = new ArrayList<>();
        int port = address.port() > 0 ? address.port() : RedisNodeAddress.DEFAULT_PORT;
        if (port > 65535) {
            throw new InvalidSettingException("address", "port " + port + " is outside 1..65535");
        }
        nodes.add(new RedisNodeAddress(host, port));
        String backup = address.parameters().get(SettingNames.BACKUP);
        if (backup != null && !backup.isBlank()) {
            for (String b : backup.split(",")) {
                RedisNodeAddress node = RedisNodeAddress.parse(b, SettingNames.BACKUP);
                if (nodes.contains(node)) {
                    throw new InvalidSettingException(SettingNames.BACKUP, "lists " + node + " twice");
                }
                nodes.add(node);
            }
        }
        return nodes;
    }

    private static int database(Map<String, String> p) {
        String database = p.get(SettingNames.DATABASE);
        String dbIndex = p.get(SettingNames.DB_INDEX);
        if (database != null && dbIndex != null && !database.trim().equals(dbIndex.trim())) {
            throw new InvalidSettingException(SettingNames.DATABASE,
                    "database=" + database + " and db.index=" + dbIndex + " disagree; give one of them");
        }
        String name = database != null ? SettingNames.DATABASE : SettingNames.DB_INDEX;
        return (int) number(p, name, 0, 0, Integer.MAX_VALUE, "a database number");
    }

    private static Duration resyncPeriod(Map<String, String> p, Duration session) {
        String value = p.get(SettingNames.RESYNC_PERIOD);
        if (value != null && value.trim().equals("0")) {
            return Duration.ZERO; // switched off
        }
        return millis(p, SettingNames.RESYNC_PERIOD, RedisRegistrySettings.defaultResyncPeriod(session), 100, MAX_PERIOD_MILLIS);
    }

    private static TlsSettings tls(Map<String, String> p) {
        boolean enabled = bool(p, SettingNames.TLS, false);
        boolean anyTlsSetting = p.keySet().stream().anyMatch(k -> k.startsWith(SettingNames.TLS + "."));
        if (!enabled) {
            if (anyTlsSetting) {
                throw new InvalidSettingException(SettingNames.TLS, "tls.* settings are given but tls is not true");
            }
            return TlsSettings.DISABLED;
        }
        return new TlsSettings(true,
                TlsSettings.Verify.fromSetting(p.getOrDefault(SettingNames.TLS_VERIFY, "full")),
                path(p, SettingNames.TLS_CA_FILE),
                path(p, SettingNames.TLS_CERT_FILE),
                path(p, SettingNames.TLS_KEY_FILE),
                path(p, SettingNames.TLS_TRUSTSTORE),
                emptyToNull(p.get(SettingNames.TLS_TRUSTSTORE_PASSWORD)),
                path(p, SettingNames.TLS_KEYSTORE),
                emptyToNull(p.get(SettingNames.TLS_KEYSTORE_PASSWORD)));
    }

    private static Path path(Map<String, String> p, String key) {
        String value = emptyToNull(p.get(key));
        return value == null ? null : Path.of(value);
    }

    /** A number of milliseconds within {@code min..max}, or the default when not given. */
    private static Duration millis(Map<String, String> p, String key, Duration defaultValue, long min, long max) {
        return Duration.ofMillis(number(p, key, defaultValue.toMillis(), min, max, "a number of milliseconds"));
    }

    private static long number(Map<String, String> p, String key, long defaultValue, long min, long max, String what) {
        String value = p.get(key);
        if (value == null || value.isBlank()) {
            return defaultValue;
        }
        long n;
        try {
            n = Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new InvalidSettingException(key, "'" + cut(value) + "' is not " + what);
        }
        if (n < min || n > max) {
            throw new InvalidSettingException(key, "must be " + what + " from " + min + " to " + max + ", was " + n);
        }
        return n;
    }

    private static boolean bool(Map<String, String> p, String key, boolean defaultValue) {
        String value = p.get(key);
        if (value == null || value.isBlank()) {
            return defaultValue;
        }
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new InvalidSettingException(key, "'" + cut(value) + "' is neither true nor false");
        };
    }

    private static String cut(String value) {
        return value.length() <= 40 ? value : value.substring(0, 37) + "...";
    }

    private static String first(String a, String b) {
        return a != null && !a.isEmpty() ? a : b;
    }

    private static String emptyToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
