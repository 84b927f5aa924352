package io.github.dubboredis.dubbo;

import static io.github.dubboredis.support.Registries.url;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;

import org.apache.dubbo.common.URL;
import org.junit.jupiter.api.Test;

import io.github.dubboredis.support.LogCapture;
import io.github.dubboredis.support.Notifications;
import io.github.dubboredis.support.Registries;
import io.github.dubboredis.testkit.RedisBinary;
import io.github.dubboredis.testkit.RedisServer;
import io.github.dubboredis.testkit.RespClient;
import io.github.dubboredis.testkit.TlsMaterial;

/** TLS and a least-privilege ACL user, on every Redis version available here (6.2 and 7.x). */
class ProductionRedisSecurityTest {

    /**
     * The broad rule of docs/hostile-input.md#acl, for a user the Redis metadata centre shares (its keys need
     * {@code ~*:*}) or a Redis 6.2 (scripts need {@code +eval}): the commands and channels the registry uses.
     */
    static final String REGISTRY_ACL = "resetkeys ~/dubbo/* ~dubbo-redis:* ~*:* resetchannels &/dubbo/* &dubbo-redis:* "
            + "&dubbo:mapping:queues -@all +@connection +hset +hdel +hget +hscan +hlen +publish +subscribe +unsubscribe "
            + "+psubscribe +punsubscribe +ping +time +scan +sscan +sadd +srem +zadd +zrem +zscore +zrangebyscore "
            + "+zrevrangebyscore +pexpire +pexpireat +pttl +exists +type +eval +evalsha +set +get +incr +del +info";

    /** The rule for a server of this version: Redis 7 adds FCALL (the registry's functions, when loaded). */
    static String registryAcl(RedisBinary binary) {
        return REGISTRY_ACL + (binary.majorVersion() >= 7 ? " +fcall" : "");
    }
    private static final String SECRET = "Acl-Registry-Secret-3e1";

    @Test
    void aUserLimitedToTheDocumentedAclRuleRunsEverythingTheRegistryDoes() {
        for (RedisBinary binary : RedisBinary.all()) {
            try (RedisServer redis = RedisServer.builder().binary(binary)
                    .config("user registry on >" + SECRET + " " + registryAcl(binary)).build().start();
                    Registries registries = new Registries(); RespClient raw = redis.client()) {
                String address = "registry:" + SECRET + "@" + redis.address();
                RedisRegistry provider = registries.create(address, "session=2000");
                RedisRegistry admin = registries.create(address, "session=2000&application=admin");
                URL p = url(provider, "dubbo://10.0.0.1:20880/com.foo.Acl?interface=com.foo.Acl");
                provider.register(p);
                Notifications heard = new Notifications();
                admin.subscribe(url(admin, "admin://10.0.0.2/*?interface=*&group=*&version=*&classifier=*&category=*&check=false"), heard);
                assertThat(heard.current("com.foo.Acl", "providers")).as("on %s", binary).containsExactly(p);
                // Reaping (ZRANGEBYSCORE + a script), sweeping (SCAN + a script), app-level keys and the mapping.
                raw.call("HSET", "/dubbo/com.foo.Acl/providers", "dubbo://10.0.0.9:1/com.foo.Acl?interface=com.foo.Acl", "1");
                assertThat(provider.engine().maintenance().sweepNow().join()).as("sweep on %s", binary).isEqualTo(1);
                provider.engine().maintenance().reapNow().join();
                provider.engine().registrations().register(provider.engine().keyspace().instancesKey("app"), "{\"serviceName\":\"app\"}", true).join();
                assertThat(provider.engine().applications().list().join()).contains("app");
                assertThat(new io.github.dubboredis.internal.metadata.ServiceAppMappings(provider.engine().store(), "dubbo")
                        .add("com.foo.Acl", "app").join()).isTrue();
                await().atMost(Duration.ofSeconds(5)).until(() -> heard.current("com.foo.Acl", "providers").equals(List.of(p)));

                // And nothing more: the user can neither flush Redis nor touch other keys.
                try (RespClient limited = redis.client()) {
                    limited.call("AUTH", "registry", SECRET);
                    assertThatThrownBy(() -> limited.call("FLUSHALL")).hasMessageContaining("NOPERM");
                    assertThatThrownBy(() -> limited.call("HSET", "other", "a", "b")).hasMessageContaining("NOPERM");
                }
            }
        }
    }

    /**
     * An ACL written before the registry listened on a channel of its own (no {@code &dubbo-redis:*}), with
     * {@code cluster=failover} over two nodes: the registry's subscriptions are restored after a reconnect all
     * the same, and it says once, with the fix, which request it cannot hear.
     */
    @Test
    void anAclWithoutTheRegistrysOwnChannelCostsOnlyTheFailbackRequest() {
        String olderAcl = REGISTRY_ACL.replace(" &dubbo-redis:* ", " ");
        assertThat(olderAcl).doesNotContain("&dubbo-redis:*");
        try (RedisServer first = RedisServer.builder().config("user registry on >" + SECRET + " " + olderAcl).build().start();
                RedisServer second = RedisServer.builder().config("user registry on >" + SECRET + " " + olderAcl).build().start();
                Registries registries = new Registries(); RespClient raw = first.client(); LogCapture log = new LogCapture()) {
            String address = "registry:" + SECRET + "@" + first.address();
            RedisRegistry provider = registries.create(address, "backup=" + second.address());
            // In the provider's application: one connection, so one warning.
            RedisRegistry consumer = registries.createBeside(provider, address, "backup=" + second.address() + "&application=consumer");
            Notifications heard = new Notifications();
            consumer.subscribe(url(consumer, "consumer://10.0.0.2/com.foo.OldAcl?interface=com.foo.OldAcl&category=providers"), heard);

            raw.call("CLIENT", "KILL", "TYPE", "pubsub"); // the registry resubscribes everything it holds
            URL p = url(provider, "dubbo://10.0.0.1:20880/com.foo.OldAcl?interface=com.foo.OldAcl");
            provider.register(p);
            await().atMost(Duration.ofSeconds(5)).until(() -> heard.current("com.foo.OldAcl", "providers").equals(List.of(p)));
            assertThat(log.count("may not subscribe to dubbo-redis:failover:move-back")).isEqualTo(1);
        }
    }

    @Test
    void tlsOnlyRedisWithTheRightCaAndOptionalClientCertificate() {
        TlsMaterial tls = TlsMaterial.generate();
        for (RedisBinary binary : RedisBinary.all()) {
            try (RedisServer redis = RedisServer.builder().binary(binary).tls(tls, true).build().start();
                    Registries registries = new Registries(); LogCapture log = new LogCapture()) {
                String common = "tls=true&tls.ca-file=" + tls.caPem();
                RedisRegistry registry = registries.create(redis.address(),
                        common + "&tls.cert-file=" + tls.clientCertPem() + "&tls.key-file=" + tls.clientKeyPem());
                URL p = url(registry, "dubbo://10.0.0.1:20880/com.foo.Tls?interface=com.foo.Tls");
                registry.register(p);
                Notifications heard = new Notifications();
                registry.subscribe(url(registry, "consumer://10.0.0.2/com.foo.Tls?interface=com.foo.Tls&category=providers"), heard);
                assertThat(heard.current("com.foo.Tls", "providers")).as("over TLS on %s", binary).containsExactly(p);

                Throwable wrongCa = catchThrowable(() -> registries.create(redis.address(),
                        "tls=true&tls.ca-file=" + tls.otherCaPem() + "&tls.cert-file=" + tls.clientCertPem()
                                + "&tls.key-file=" + tls.clientKeyPem()));
                assertThat(rootMessage(wrongCa)).as("wrong CA on %s", binary)
                        .contains("TLS handshake with Redis at " + redis.address() + " failed").contains("tls.*");

                Throwable noClientCert = catchThrowable(() -> registries.create(redis.address(), common + "&connect.timeout=1500"));
                assertThat(noClientCert).as("no client certificate on %s", binary).isNotNull();
                assertThat(rootMessage(noClientCert)).contains(redis.address());
            }
        }
    }

    @Test
    void tlsSettingsThatCannotWorkAreRefusedNamingTheSetting() {
        assertThat(rootMessage(catchThrowable(() -> {
            try (Registries registries = new Registries()) {
                registries.create("127.0.0.1:6379", "tls=true&tls.ca-file=/nonexistent/ca.pem");
            }
        }))).contains("'tls.ca-file'").contains("/nonexistent/ca.pem");
        assertThat(rootMessage(catchThrowable(() -> {
            try (Registries registries = new Registries()) {
                registries.create("127.0.0.1:6379", "tls=true&tls.cert-file=" + TlsMaterial.generate().clientCertPem());
            }
        }))).contains("'tls.key-file'");
    }

    private static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null) {
            c = c.getCause();
        }
        return c.getMessage();
    }
}
