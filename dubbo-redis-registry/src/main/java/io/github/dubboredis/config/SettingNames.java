package io.github.dubboredis.config;

/**
 * The names of the registry URL parameters, as users write them. Where the existing Dubbo Redis
 * extension has a name ({@code redis-client}, {@code master.name}, {@code db.index},
 * {@code reconnect.period}) it is kept, so that switching to this registry changes only the dependency.
 */
public final class SettingNames {

    public static final String BACKUP = "backup";
    public static final String GROUP = "group";
    public static final String CLUSTER = "cluster";
    public static final String REDIS_CLIENT = "redis-client";
    public static final String MASTER_NAME = "master.name";
    public static final String USERNAME = "username";
    public static final String PASSWORD = "password";
    public static final String DATABASE = "database";
    /** The existing extension's name for {@link #DATABASE}; accepted as an alias. */
    public static final String DB_INDEX = "db.index";
    public static final String TIMEOUT = "timeout";
    public static final String CONNECT_TIMEOUT = "connect.timeout";
    /** The existing extension's (cluster client) name for {@link #CONNECT_TIMEOUT}; accepted as an alias. */
    public static final String CONNECTION_TIMEOUT = "connection.timeout";
    public static final String SESSION = "session";
    public static final String RECONNECT_PERIOD = "reconnect.period";
    public static final String REAP_GRACE = "reap.grace";
    public static final String RESYNC_PERIOD = "resync.period";
    public static final String CHECK = "check";
    /** The most entries a watched key may have; bigger keys are refused (see the README's limits). */
    public static final String KEY_MAX_ENTRIES = "key.max-entries";

    public static final String TLS = "tls";
    public static final String TLS_VERIFY = "tls.verify";
    public static final String TLS_CA_FILE = "tls.ca-file";
    public static final String TLS_CERT_FILE = "tls.cert-file";
    public static final String TLS_KEY_FILE = "tls.key-file";
    public static final String TLS_TRUSTSTORE = "tls.truststore";
    public static final String TLS_TRUSTSTORE_PASSWORD = "tls.truststore-password";
    public static final String TLS_KEYSTORE = "tls.keystore";
    public static final String TLS_KEYSTORE_PASSWORD = "tls.keystore-password";

    private SettingNames() {
    }
}
