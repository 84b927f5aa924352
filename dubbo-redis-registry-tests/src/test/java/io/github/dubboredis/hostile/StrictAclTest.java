package io.github.dubboredis.hostile;

import static io.github.dubboredis.support.Registries.url;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import java.time.Duration;

import org.apache.dubbo.common.URL;
import org.junit.jupiter.api.Test;

import io.github.dubboredis.dubbo.RedisRegistry;
import io.github.dubboredis.inspect.OperatorSession;
import io.github.dubboredis.internal.metadata.ServiceAppMappings;
import io.github.dubboredis.internal.model.Keyspace;
import io.github.dubboredis.support.Engines;
import io.github.dubboredis.support.LogCapture;
import io.github.dubboredis.support.Notifications;
import io.github.dubboredis.support.Registries;
import io.github.dubboredis.testkit.RedisBinary;
import io.github.dubboredis.testkit.RedisServer;
import io.github.dubboredis.testkit.RespClient;

/**
 * Finding 6 of issue 13: the "least-privilege" ACL was not: {@code +eval} let the registry's user run any Lua (a
 * busy loop held Redis 3.9 s, and that user could not SCRIPT KILL it), and {@code ~*:*} granted every key with a
 * colon. The strict rule below has neither: on Redis 7 the registry's steps are functions an operator loads once
 * ({@code dubbo-redis-cli functions load}, the same call as {@link OperatorSession#loadFunctions()}), called with
 * FCALL. Redis 6.2 has no functions: there the user needs {@code +evalsha +eval} (which lets it run any script);
 * that is the 6.2 path, and both are tested with a real ACL user.
 */
class StrictAclTest {

    /**
     * The strict rule for the default group and the Redis metadata centre's mapping: keys under the root, the
     * registry's own prefix and the mapping hash; channels likewise; the commands the registry sends, directly or
     * from its functions; FCALL and no EVAL.
     */
    static final String STRICT_ACL = "resetkeys ~/dubbo/* ~dubbo-redis:* ~dubbo:mapping resetchannels &/dubbo/* "
            + "&dubbo-redis:* &dubbo:mapping:queues -@all +@connection +hset +hdel +hget +hscan +hlen +publish +subscribe "
            + "+unsubscribe +psubscribe +punsubscribe +ping +time +scan +sscan +sadd +srem +zadd +zrem +zscore +zrangebyscore "
            + "+zrevrangebyscore +pexpire +pexpireat +pttl +exists +type +set +get +incr +del +info";
    /**
     * What Redis 7 adds: the registry's functions, and UNLINK (optional: a key of the registry's own that someone made
     * huge is then freed in the background; without it the registry falls back to DEL).
     */
    static final String REDIS_7 = " +fcall +unlink";
    /** What Redis 6.2 needs instead: scripts, which lets the user run any Lua (here without +unlink: the fallback). */
    static final String REDIS_6_2 = " +evalsha +eval";

    private static final String SECRET = "Strict-Acl-Secret-7f2";
    private static final String SERVICE = "com.foo.Strict";

    @Test
    void aUserWithoutEvalAndWithoutWildcardKeysRunsTheRegistryOnFunctionsAndIsToldWhatToDoWithout() {
        for (RedisBinary binary : RedisBinary.all()) {
            boolean functions = binary.majorVersion() >= 7;
            String strict = STRICT_ACL + (functions ? REDIS_7 : "");
            try (RedisServer redis = RedisServer.builder().binary(binary)
                    .config("user registry on >" + SECRET + " " + strict)
                    .config("user registry62 on >" + SECRET + " " + STRICT_ACL + REDIS_6_2).build().start();
                    RespClient raw = HostileRedis.client(redis); LogCapture log = new LogCapture()) {
                String address = "registry:" + SECRET + "@" + redis.address();

                // Before an operator loaded the functions (or on 6.2, where there are none): a clear refusal.
                Throwable refused = catchThrowable(() -> {
                    try (Registries registries = new Registries()) {
                        registries.create(address, "");
                    }
                });
                assertThat(rootMessage(refused)).as("on %s", binary).contains("run neither the registry's functions nor scripts")
                        .contains("dubbo-redis-cli functions load").contains("+evalsha +eval").doesNotContain(SECRET);

                if (functions) {
                    try (OperatorSession operator = OperatorSession.open(Engines.settings("redis://" + redis.address()), "operator")) {
                        operator.loadFunctions().join();
                    }
                    everythingTheRegistryDoes(redis, raw, address, "functions");
                } else {
                    everythingTheRegistryDoes(redis, raw, "registry62:" + SECRET + "@" + redis.address(), "scripts");
                }

                try (RespClient limited = redis.client()) {
                    limited.call("AUTH", "registry", SECRET);
                    if (functions) {
                        assertThatThrownBy(() -> limited.call("EVAL", "while true do end", "0")).hasMessageContaining("NOPERM");
                        assertThatThrownBy(() -> limited.call("FUNCTION", "DELETE", libraryName())).hasMessageContaining("NOPERM");
                        assertThatThrownBy(() -> limited.call("SCRIPT", "KILL")).hasMessageContaining("NOPERM");
                    }
                    // No key outside the registry's: '~*:*' is gone.
                    assertThatThrownBy(() -> limited.call("SET", "myapp:config", "x")).hasMessageContaining("NOPERM");
                    assertThatThrownBy(() -> limited.call("HSET", "billing:invoices", "a", "b")).hasMessageContaining("NOPERM");
                    assertThatThrownBy(() -> limited.call("FLUSHALL")).hasMessageContaining("NOPERM");
                }
                if (!functions) {
                    // The 6.2 path, stated: the user that may run the registry's scripts may run any script.
                    try (RespClient on62 = redis.client()) {
                        on62.call("AUTH", "registry62", SECRET);
                        assertThat(on62.call("EVAL", "return 1", "0")).isEqualTo(1L);
                    }
                }
                assertThat(String.join("\n", log.lines())).doesNotContain(SECRET);
                System.out.printf("strict ACL on %s: the registry ran on %s%n", binary, functions ? "FCALL, without +eval"
                        : "EVALSHA (the 6.2 path, +evalsha +eval)");
            }
        }
    }

    /** Registers, watches (with change records), sweeps, reaps, app-level instances, the mapping; and the cost. */
    private static void everythingTheRegistryDoes(RedisServer redis, RespClient raw, String address, String steps) {
        raw.call("DEL", "dubbo-redis:/dubbo/:epoch");
        raw.call("HSET", "dubbo-redis:/dubbo/:epoch", "not", "a string"); // replaced under this user's rights
        try (Registries registries = new Registries()) {
            RedisRegistry provider = registries.create(address, "session=2000");
            RedisRegistry admin = registries.create(address, "session=2000&application=admin");
            URL p = url(provider, "dubbo://10.0.0.1:20880/" + SERVICE + "?interface=" + SERVICE);
            provider.register(p);
            Notifications everything = new Notifications();
            admin.subscribe(url(admin, "admin://10.0.0.2/*?interface=*&group=*&version=*&classifier=*&category=*&check=false"),
                    everything);
            Notifications heard = new Notifications();
            admin.subscribe(url(admin, "consumer://10.0.0.2/" + SERVICE + "?interface=" + SERVICE + "&category=providers"), heard);
            assertThat(heard.current(SERVICE, "providers")).containsExactly(p);

            String key = "/dubbo/" + SERVICE + "/providers";
            raw.call("HSET", key, "dubbo://10.0.0.9:1/" + SERVICE + "?interface=" + SERVICE, "1"); // an older registry's, long dead
            assertThat(provider.engine().maintenance().sweepNow().join()).isEqualTo(1);
            Keyspace keyspace = provider.engine().keyspace();
            String dead = "deadOwnerUnderStrictAcl";
            String expiry = Long.toString(HostileRedis.redisNow(raw) - 500);
            raw.call("ZADD", keyspace.ownersKey(), expiry, dead);
            raw.call("SADD", keyspace.ownerKeysKey(dead), key);
            raw.call("HSET", key, "dubbo://10.0.0.8:1/" + SERVICE + "?interface=" + SERVICE, expiry);
            provider.engine().maintenance().reapNow().join();
            await().atMost(Duration.ofSeconds(5)).until(() -> raw.hgetall(key).keySet().equals(java.util.Set.of(p.toFullString())));
            await().atMost(Duration.ofSeconds(5)).until(() -> raw.number("EXISTS", keyspace.ownerKeysKey(dead)) == 0);
            assertThat(raw.string("TYPE", keyspace.epochKey())).isEqualTo("string");

            provider.engine().registrations().register(keyspace.instancesKey("strict-app"), "{\"serviceName\":\"strict-app\"}", true)
                    .join();
            assertThat(provider.engine().applications().list().join()).contains("strict-app");
            assertThat(new ServiceAppMappings(provider.engine().store(), "dubbo").add(SERVICE, "strict-app").join()).isTrue();
            URL second = url(provider, "dubbo://10.0.0.3:20880/" + SERVICE + "?interface=" + SERVICE);
            provider.register(second);
            await().atMost(Duration.ofSeconds(5)).until(() -> heard.current(SERVICE, "providers").size() == 2);
            assertThat(provider.engine().store().serverSteps()).isEqualTo(steps);

            // What the strict rule costs: the metadata centre's definitions and application metadata
            // ('<application>:<revision>', '<interface>:...:<application>') are outside its key patterns.
            Throwable metadata = catchThrowable(() -> provider.engine().store().setValue("strict-app:0123abcd", "{}", 0).join());
            assertThat(rootMessage(metadata)).contains("NOPERM").contains("ACL rule");
        }
    }

    /** The name the library gives itself in its first line ({@code #!lua name=...}). */
    private static String libraryName() {
        String first = OperatorSession.functionLibrary().lines().findFirst().orElseThrow();
        assertThat(first).matches("#!lua name=dubboredis_[0-9a-f]{12}");
        return first.substring("#!lua name=".length());
    }

    private static String rootMessage(Throwable t) {
        assertThat(t).isNotNull();
        Throwable c = t;
        while (c.getCause() != null) {
            c = c.getCause();
        }
        return c.getMessage();
    }
}
