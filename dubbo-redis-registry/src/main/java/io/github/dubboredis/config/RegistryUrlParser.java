package io.github.dubboredis.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.apache.dubbo.common.URL;

/**
 * Reads a Dubbo registry URL ({@code redis://host:port?backup=...&group=...}) into settings, once,
 * validating every value. The seed's forms all arrive here the same way: Dubbo turns
 * {@code address="h1:p1,h2:p2"} into {@code h1:p1?backup=h2:p2}.
 */
public final class RegistryUrlParser {

    private RegistryUrlParser() {
    }

    public static RedisRegistrySettings parse(URL url) {
        ConnectionSettings connection = ConnectionSettings.builder()
                .nodes(nodes(url))
                .topology(Topology.fromSetting(url.getParameter(SettingNames.REDIS_CLIENT, "mono"), SettingNames.REDIS_CLIENT))
                .clusterStrategy(ClusterStrategy.fromSetting(url.getParameter(SettingNames.CLUSTER, "failover"), SettingNames.CLUSTER))
                .masterName(masterName(url))
                .username(emptyToNull(first(url.getUsername(), url.getParameter(SettingNames.USERNAME))))
                .password(emptyToNull(first(url.getPassword(), url.getParameter(SettingNames.PASSWORD))))
                .database(database(url))
                .connectTimeout(millis(url, url.hasParameter(SettingNames.CONNECTION_TIMEOUT) && !url.hasParameter(SettingNames.CONNECT_TIMEOUT)
                        ? SettingNames.CONNECTION_TIMEOUT : SettingNames.CONNECT_TIMEOUT, Duration.ofSeconds(3)))
                .commandTimeout(millis(url, SettingNames.TIMEOUT, Duration.ofSeconds(5)))
                .reconnectPeriod(millis(url, SettingNames.RECONNECT_PERIOD, Duration.ofSeconds(3)))
                .tls(tls(url))
                .build();
        Duration session = millis(url, SettingNames.SESSION, RedisRegistrySettings.DEFAULT_SESSION);
        return new RedisRegistrySettings(
                connection,
                RedisRegistrySettings.rootForGroup(url.getParameter(SettingNames.GROUP)),
                session,
                millis(url, SettingNames.REAP_GRACE, RedisRegistrySettings.defaultReapGrace(session)),
                millisOrZero(url, SettingNames.RESYNC_PERIOD, RedisRegistrySettings.defaultResyncPeriod(session)),
                bool(url, SettingNames.CHECK, true));
    }

    /** The existing extension's default master name, so that a configuration relying on it keeps working. */
    static final String DEFAULT_MASTER_NAME = "Sentinel-master";

    private static String masterName(URL url) {
        String name = emptyToNull(url.getParameter(SettingNames.MASTER_NAME));
        if (name == null && "sentinel".equalsIgnoreCase(url.getParameter(SettingNames.REDIS_CLIENT, "").trim())) {
            return DEFAULT_MASTER_NAME;
        }
        return name;
    }

    private static List<RedisNodeAddress> nodes(URL url) {
        String host = url.getHost();
        if (host == null || host.isEmpty() || "0.0.0.0".equals(host)) {
            throw new InvalidSettingException("address", "no Redis host in '" + url.getProtocol() + "://" + url.getAddress()
                    + "'; write redis://host:port");
        }
        List<RedisNodeAddress> nodes = new ArrayList<>();
        nodes.add(url.getPort() > 0
                ? RedisNodeAddress.parse(hostPort(host, url.getPort()), "address")
                : RedisNodeAddress.parse(host, "address"));
        String backup = url.getParameter(SettingNames.BACKUP);
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

    private static String hostPort(String host, int port) {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    private static int database(URL url) {
        String database = url.getParameter(SettingNames.DATABASE);
        String dbIndex = url.getParameter(SettingNames.DB_INDEX);
        if (database != null && dbIndex != null && !database.trim().equals(dbIndex.trim())) {
            throw new InvalidSettingException(SettingNames.DATABASE,
                    "database=" + database + " and db.index=" + dbIndex + " disagree; give one of them");
        }
        String value = database != null ? database : dbIndex;
        String name = database != null ? SettingNames.DATABASE : SettingNames.DB_INDEX;
        if (value == null || value.isBlank()) {
            return 0;
        }
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new InvalidSettingException(name, "'" + value + "' is not a database number");
        }
    }

    private static TlsSettings tls(URL url) {
        boolean enabled = bool(url, SettingNames.TLS, false);
        boolean anyTlsSetting = url.getParameters().keySet().stream().anyMatch(k -> k.startsWith(SettingNames.TLS + "."));
        if (!enabled) {
            if (anyTlsSetting) {
                throw new InvalidSettingException(SettingNames.TLS, "tls.* settings are given but tls is not true");
            }
            return TlsSettings.DISABLED;
        }
        return new TlsSettings(true,
                TlsSettings.Verify.fromSetting(url.getParameter(SettingNames.TLS_VERIFY, "full")),
                path(url, SettingNames.TLS_CA_FILE),
                path(url, SettingNames.TLS_CERT_FILE),
                path(url, SettingNames.TLS_KEY_FILE),
                path(url, SettingNames.TLS_TRUSTSTORE),
                emptyToNull(url.getParameter(SettingNames.TLS_TRUSTSTORE_PASSWORD)),
                path(url, SettingNames.TLS_KEYSTORE),
                emptyToNull(url.getParameter(SettingNames.TLS_KEYSTORE_PASSWORD)));
    }

    private static Path path(URL url, String key) {
        String value = emptyToNull(url.getParameter(key));
        return value == null ? null : Path.of(value);
    }

    private static Duration millis(URL url, String key, Duration defaultValue) {
        String value = url.getParameter(key);
        if (value == null || value.isBlank()) {
            return defaultValue;
        }
        long ms;
        try {
            ms = Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new InvalidSettingException(key, "'" + value + "' is not a number of milliseconds");
        }
        if (ms <= 0) {
            throw new InvalidSettingException(key, "must be a positive number of milliseconds, was " + ms);
        }
        return Duration.ofMillis(ms);
    }

    /** Like {@link #millis} but 0 is allowed (it switches the thing off). */
    private static Duration millisOrZero(URL url, String key, Duration defaultValue) {
        String value = url.getParameter(key);
        if (value != null && value.trim().equals("0")) {
            return Duration.ZERO;
        }
        return millis(url, key, defaultValue);
    }

    private static boolean bool(URL url, String key, boolean defaultValue) {
        String value = url.getParameter(key);
        if (value == null || value.isBlank()) {
            return defaultValue;
        }
        return switch (value.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new InvalidSettingException(key, "'" + value + "' is neither true nor false");
        };
    }

    private static String first(String a, String b) {
        return a != null && !a.isEmpty() ? a : b;
    }

    private static String emptyToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
