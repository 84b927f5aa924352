package io.github.dubboredis.internal.lettuce;

import java.time.Duration;

import io.github.dubboredis.config.ConnectionSettings;
import io.github.dubboredis.config.RedisNodeAddress;
import io.github.dubboredis.config.TlsSettings;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.SslOptions;
import io.lettuce.core.SslVerifyMode;
import io.lettuce.core.TimeoutOptions;

/** Builds the client's URIs and options from our settings: the one place that maps one to the other. */
final class ClientSettings {

    private static final String CLIENT_NAME = "dubbo-redis-registry";

    private ClientSettings() {
    }

    /** Which of the configured credentials a connection presents. */
    enum Credentials {
        USER_AND_PASSWORD,
        /** The password alone, for the default user, as the older registry sent it. */
        PASSWORD_ONLY,
        NONE
    }

    /** A URI for one plain Redis server. */
    static RedisURI server(ConnectionSettings s, RedisNodeAddress node, Credentials credentials) {
        return withCommon(s, RedisURI.builder().withHost(node.host()).withPort(node.port()), credentials).build();
    }

    /** A URI for the master that the sentinels (every configured node) know as {@code master.name}. */
    static RedisURI sentinel(ConnectionSettings s) {
        RedisURI.Builder b = RedisURI.builder().withSentinelMasterId(s.masterName());
        for (RedisNodeAddress node : s.nodes()) {
            RedisURI.Builder sentinel = RedisURI.builder().withHost(node.host()).withPort(node.port())
                    .withTimeout(s.commandTimeout());
            if (s.hasPassword()) {
                // Sentinels usually share the data nodes' credentials (sentinel auth-user/auth-pass).
                sentinel.withAuthentication(s.username() == null ? "default" : s.username(), s.password());
            }
            if (s.tls().enabled()) {
                sentinel.withSsl(true).withVerifyPeer(verifyMode(s.tls()));
            }
            b.withSentinel(sentinel.build());
        }
        return withCommon(s, b, Credentials.USER_AND_PASSWORD).build();
    }

    private static RedisURI.Builder withCommon(ConnectionSettings s, RedisURI.Builder b, Credentials credentials) {
        b.withDatabase(s.database()).withTimeout(s.commandTimeout()).withClientName(CLIENT_NAME);
        if (s.hasPassword() && credentials != Credentials.NONE) {
            if (s.username() != null && credentials == Credentials.USER_AND_PASSWORD) {
                b.withAuthentication(s.username(), s.password());
            } else {
                b.withPassword(s.password().toCharArray());
            }
        }
        if (s.tls().enabled()) {
            b.withSsl(true).withVerifyPeer(verifyMode(s.tls()));
        }
        return b;
    }

    private static SslVerifyMode verifyMode(TlsSettings tls) {
        return switch (tls.verify()) {
            case FULL -> SslVerifyMode.FULL;
            case CA -> SslVerifyMode.CA;
            case NONE -> SslVerifyMode.NONE;
        };
    }

    /**
     * Client options: reconnect on our own back-off; reject commands while disconnected (instead of
     * queueing them without bound while Redis is away, so callers fail fast and retry on their own
     * schedule); every command bounded by {@code timeout}; dead connections noticed as
     * {@link DeadLinkDetection} says.
     */
    static ClientOptions options(ConnectionSettings s, DeadLinkDetection deadLinks) {
        ClientOptions.Builder b = ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .socketOptions(deadLinks.apply(SocketOptions.builder().connectTimeout(s.connectTimeout())).build())
                .timeoutOptions(TimeoutOptions.enabled(s.commandTimeout()));
        if (s.tls().enabled()) {
            b.sslOptions(sslOptions(s.tls(), s.connectTimeout()));
        }
        return b.build();
    }

    private static SslOptions sslOptions(TlsSettings tls, Duration handshakeTimeout) {
        SslOptions.Builder b = SslOptions.builder().jdkSslProvider().handshakeTimeout(handshakeTimeout);
        if (tls.caFile() != null) {
            b.trustManager(tls.caFile().toFile());
        } else if (tls.trustStore() != null) {
            b.truststore(tls.trustStore().toFile(), tls.trustStorePassword());
        }
        if (tls.certFile() != null) {
            b.keyManager(tls.certFile().toFile(), tls.keyFile().toFile(), null);
        } else if (tls.keyStore() != null) {
            b.keystore(tls.keyStore().toFile(),
                    tls.keyStorePassword() == null ? null : tls.keyStorePassword().toCharArray());
        }
        return b.build();
    }
}
