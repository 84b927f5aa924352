package io.github.dubboredis.config;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How to reach Redis: nodes, topology, credentials, database and timeouts. Immutable and validated on
 * build, like Lettuce's {@code RedisURI}; {@link #toString()} never shows the password. Two registries
 * with equal connection settings share one set of Redis connections.
 */
public final class ConnectionSettings {

    private final List<RedisNodeAddress> nodes;
    private final Topology topology;
    private final MultiNodeMode multiNodeMode;
    private final String masterName;
    private final String username;
    private final String password;
    private final int database;
    private final Duration connectTimeout;
    private final Duration commandTimeout;
    private final Duration reconnectPeriod;
    private final TlsSettings tls;

    private ConnectionSettings(Builder b) {
        this.nodes = List.copyOf(b.nodes);
        this.topology = b.topology;
        this.multiNodeMode = b.multiNodeMode;
        this.masterName = b.masterName;
        this.username = b.username;
        this.password = b.password;
        this.database = b.database;
        this.connectTimeout = b.connectTimeout;
        this.commandTimeout = b.commandTimeout;
        this.reconnectPeriod = b.reconnectPeriod;
        this.tls = b.tls;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The nodes in the order given: first the address, then each {@code backup}. */
    public List<RedisNodeAddress> nodes() {
        return nodes;
    }

    public Topology topology() {
        return topology;
    }

    public MultiNodeMode multiNodeMode() {
        return multiNodeMode;
    }

    /** The Sentinel master name; null unless the topology is {@link Topology#SENTINEL}. */
    public String masterName() {
        return masterName;
    }

    /** The ACL user name, or null for Redis's {@code default} user. */
    public String username() {
        return username;
    }

    /** The password, or null. Never log it. */
    public String password() {
        return password;
    }

    public boolean hasPassword() {
        return password != null;
    }

    public int database() {
        return database;
    }

    public Duration connectTimeout() {
        return connectTimeout;
    }

    public Duration commandTimeout() {
        return commandTimeout;
    }

    /** The longest wait between two reconnect attempts (attempts back off with jitter up to it). */
    public Duration reconnectPeriod() {
        return reconnectPeriod;
    }

    public TlsSettings tls() {
        return tls;
    }

    /** A short, secret-free description for log lines and errors, e.g. {@code redis://127.0.0.1:6379/0}. */
    public String describe() {
        StringBuilder s = new StringBuilder(tls.enabled() ? "rediss://" : "redis://");
        if (username != null) {
            s.append(username).append('@');
        }
        for (int i = 0; i < nodes.size(); i++) {
            s.append(i == 0 ? "" : ",").append(nodes.get(i));
        }
        s.append('/').append(database);
        if (topology != Topology.STANDALONE) {
            s.append(" (").append(topology.settingValue());
            if (masterName != null) {
                s.append(" master ").append(masterName);
            }
            s.append(')');
        } else if (nodes.size() > 1) {
            s.append(" (").append(multiNodeMode.settingValue()).append(')');
        }
        return s.toString();
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof ConnectionSettings other)) {
            return false;
        }
        return nodes.equals(other.nodes)
                && topology == other.topology
                && multiNodeMode == other.multiNodeMode
                && Objects.equals(masterName, other.masterName)
                && Objects.equals(username, other.username)
                && Objects.equals(password, other.password)
                && database == other.database
                && connectTimeout.equals(other.connectTimeout)
                && commandTimeout.equals(other.commandTimeout)
                && reconnectPeriod.equals(other.reconnectPeriod)
                && tls.equals(other.tls);
    }

    @Override
    public int hashCode() {
        return Objects.hash(nodes, topology, multiNodeMode, masterName, username, password, database,
                connectTimeout, commandTimeout, reconnectPeriod, tls);
    }

    @Override
    public String toString() {
        return "ConnectionSettings{" + describe()
                + ", password=" + (password == null ? "none" : "******")
                + ", connectTimeout=" + connectTimeout.toMillis() + "ms"
                + ", commandTimeout=" + commandTimeout.toMillis() + "ms"
                + ", reconnectPeriod=" + reconnectPeriod.toMillis() + "ms"
                + ", tls=" + tls + '}';
    }

    public static final class Builder {
        private List<RedisNodeAddress> nodes = List.of();
        private Topology topology = Topology.STANDALONE;
        private MultiNodeMode multiNodeMode = MultiNodeMode.FAILOVER;
        private String masterName;
        private String username;
        private String password;
        private int database;
        private Duration connectTimeout = Duration.ofSeconds(3);
        private Duration commandTimeout = Duration.ofSeconds(5);
        private Duration reconnectPeriod = Duration.ofSeconds(3);
        private TlsSettings tls = TlsSettings.DISABLED;

        private Builder() {
        }

        public Builder nodes(List<RedisNodeAddress> nodes) {
            this.nodes = nodes;
            return this;
        }

        public Builder topology(Topology topology) {
            this.topology = topology;
            return this;
        }

        public Builder multiNodeMode(MultiNodeMode multiNodeMode) {
            this.multiNodeMode = multiNodeMode;
            return this;
        }

        public Builder masterName(String masterName) {
            this.masterName = masterName;
            return this;
        }

        public Builder username(String username) {
            this.username = username;
            return this;
        }

        public Builder password(String password) {
            this.password = password;
            return this;
        }

        public Builder database(int database) {
            this.database = database;
            return this;
        }

        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = connectTimeout;
            return this;
        }

        public Builder commandTimeout(Duration commandTimeout) {
            this.commandTimeout = commandTimeout;
            return this;
        }

        public Builder reconnectPeriod(Duration reconnectPeriod) {
            this.reconnectPeriod = reconnectPeriod;
            return this;
        }

        public Builder tls(TlsSettings tls) {
            this.tls = tls;
            return this;
        }

        /** Validates and builds; every problem is an {@link InvalidSettingException} naming the setting. */
        public ConnectionSettings build() {
            if (nodes.isEmpty()) {
                throw new InvalidSettingException("address", "no Redis address given");
            }
            if (topology == Topology.SENTINEL && (masterName == null || masterName.isBlank())) {
                throw new InvalidSettingException(SettingNames.MASTER_NAME,
                        "redis-client=sentinel needs the name of the master the sentinels watch");
            }
            if (topology != Topology.SENTINEL && masterName != null) {
                throw new InvalidSettingException(SettingNames.MASTER_NAME,
                        "only meaningful with redis-client=sentinel (redis-client is " + topology.settingValue() + ")");
            }
            if (topology != Topology.STANDALONE && multiNodeMode == MultiNodeMode.REPLICATE) {
                throw new InvalidSettingException(SettingNames.CLUSTER, "cluster=replicate writes to several independent "
                        + "Redis servers and cannot be combined with redis-client=" + topology.settingValue());
            }
            if (topology == Topology.REDIS_CLUSTER && database != 0) {
                throw new InvalidSettingException(SettingNames.DATABASE, "Redis Cluster has only database 0");
            }
            if (database < 0) {
                throw new InvalidSettingException(SettingNames.DATABASE, "must not be negative, was " + database);
            }
            if (username != null && password == null) {
                throw new InvalidSettingException(SettingNames.PASSWORD, "a username (" + username + ") needs a password");
            }
            requirePositive(connectTimeout, SettingNames.CONNECT_TIMEOUT);
            requirePositive(commandTimeout, SettingNames.TIMEOUT);
            requirePositive(reconnectPeriod, SettingNames.RECONNECT_PERIOD);
            return new ConnectionSettings(this);
        }

        private static void requirePositive(Duration d, String setting) {
            if (d == null || d.isZero() || d.isNegative()) {
                throw new InvalidSettingException(setting, "must be a positive number of milliseconds");
            }
        }
    }
}
