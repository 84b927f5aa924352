package io.github.dubboredis.dubbo;

import static io.github.dubboredis.support.Registries.url;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;

import org.apache.dubbo.common.URL;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.github.dubboredis.support.DebugLogging;
import io.github.dubboredis.support.LogCapture;
import io.github.dubboredis.support.Notifications;
import io.github.dubboredis.support.Registries;
import io.github.dubboredis.testkit.FreePorts;
import io.github.dubboredis.testkit.RedisServer;
import io.github.dubboredis.testkit.RespClient;

/**
 * Bad configuration fails start-up with one clear message naming the setting; secrets appear nowhere
 * (not in the message, the stack trace, nor any log line, even at DEBUG); with check=false the
 * application starts without Redis and the registry catches up when Redis comes.
 */
class ConfigurationErrorsTest {

    private static final String SECRET = "Right-Secret-7f3a";
    private static final String WRONG = "Wrong-Secret-91c2";
    private static final String ACL_SECRET = "Acl-Secret-5d8e";

    private static RedisServer protectedRedis;

    @BeforeAll
    static void start() {
        protectedRedis = RedisServer.builder().password(SECRET)
                .config("user app on >" + ACL_SECRET + " ~* &* +@all")
                .build().start();
    }

    @AfterAll
    static void stop() {
        protectedRedis.close();
    }

    /** The message of the innermost cause: what Dubbo shows after "Can not create registry". */
    private static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null) {
            c = c.getCause();
        }
        return c.getMessage();
    }

    private static String everything(Throwable t) {
        StringWriter s = new StringWriter();
        t.printStackTrace(new PrintWriter(s));
        return s.toString();
    }

    private static Throwable createFails(String address, String parameters) {
        try (Registries registries = new Registries()) {
            return catchThrowable(() -> registries.create(address, parameters));
        }
    }

    @Test
    void unknownClusterValueNamesTheSetting() {
        Throwable t = createFails("127.0.0.1:6379", "cluster=mirror");
        assertThat(rootMessage(t)).startsWith("Invalid Redis registry setting 'cluster': unknown value 'mirror'");
    }

    @Test
    void malformedAddressNamesTheSetting() {
        assertThat(rootMessage(createFails("127.0.0.1:6379", "backup=127.0.0.1:port"))).contains("'backup'");
    }

    @Test
    void wrongPasswordFailsClearlyWithoutShowingAnySecret() {
        try (LogCapture log = new LogCapture(); DebugLogging debug = new DebugLogging()) {
            Throwable t = createFails("default:" + WRONG + "@" + protectedRedis.address(), "");
            assertThat(rootMessage(t)).contains("refused the credentials of user 'default'")
                    .contains("'username' and 'password'");
            assertThat(everything(t)).doesNotContain(WRONG).doesNotContain(SECRET);
            assertThat(String.join("\n", log.lines())).doesNotContain(WRONG).doesNotContain(SECRET);
        }
    }

    @Test
    void aWrongPasswordIsRefusedWhereTheDefaultUserHasNone() {
        // Redis's stock state once ACL users are added: 'default' takes any password. Falling back to the
        // password alone (for configurations of the older registry) would let a wrong password in, unrestricted.
        try (RedisServer openDefault = RedisServer.builder().config("user app on >" + ACL_SECRET + " ~* &* +@all").build().start();
                LogCapture log = new LogCapture()) {
            Throwable t = createFails("app:" + WRONG + "@" + openDefault.address(), "");
            assertThat(t).as("a registry must not start with a wrong password").isNotNull();
            assertThat(rootMessage(t)).contains("refused the credentials of user 'app'");
            assertThat(log.count("took the password alone")).isZero();
        }
    }

    @Test
    void wrongAclUserFailsClearlyWithoutShowingAnySecret() {
        try (LogCapture log = new LogCapture(); DebugLogging debug = new DebugLogging()) {
            Throwable t = createFails("app:" + WRONG + "@" + protectedRedis.address(), "");
            assertThat(rootMessage(t)).contains("refused the credentials of user 'app'");
            assertThat(everything(t)).doesNotContain(WRONG);
            assertThat(String.join("\n", log.lines())).doesNotContain(WRONG).doesNotContain(ACL_SECRET);
        }
    }

    @Test
    void missingPasswordSaysSo() {
        assertThat(rootMessage(createFails(protectedRedis.address(), ""))).contains("(no password given)");
    }

    @Test
    void rightCredentialsWorkAsAclUserAsDefaultUserAndInTheOlderRegistrysStyle() {
        try (Registries registries = new Registries(); LogCapture log = new LogCapture(); DebugLogging debug = new DebugLogging();
                RespClient raw = protectedRedis.client()) {
            RedisRegistry acl = registries.create("app:" + ACL_SECRET + "@" + protectedRedis.address(), "");
            RedisRegistry defaultUser = registries.create("default:" + SECRET + "@" + protectedRedis.address(), "");
            // Dubbo needs a user name with a password; the older registry sent the password alone, whatever the name.
            RedisRegistry olderStyle = registries.create("anyone:" + SECRET + "@" + protectedRedis.address(), "");
            acl.register(url(acl, "dubbo://10.0.0.1:20880/com.foo.Acl?interface=com.foo.Acl"));
            defaultUser.register(url(defaultUser, "dubbo://10.0.0.2:20880/com.foo.Acl?interface=com.foo.Acl"));
            olderStyle.register(url(olderStyle, "dubbo://10.0.0.3:20880/com.foo.Acl?interface=com.foo.Acl"));
            assertThat(raw.hgetall("/dubbo/com.foo.Acl/providers")).hasSize(3);
            await().atMost(Duration.ofSeconds(5)).until(() -> log.count("Redis refused user 'anyone' but took the password alone") == 1);
            registries.close();
            assertThat(String.join("\n", log.lines())).doesNotContain(SECRET).doesNotContain(ACL_SECRET);
        }
    }

    @Test
    void missingDatabaseNamesTheSetting() {
        assertThat(rootMessage(createFails("default:" + SECRET + "@" + protectedRedis.address(), "db.index=99")))
                .contains("has no database 99").contains("'database'");
    }

    @Test
    void unreachableRedisWithCheckFailsStartUpClearly() {
        int port = FreePorts.next();
        assertThat(rootMessage(createFails("127.0.0.1:" + port, "")))
                .contains("cannot reach Redis at 127.0.0.1:" + port + ": connection refused");
    }

    @Test
    void withCheckFalseTheApplicationStartsWithoutRedisAndCatchesUpWhenItComes() {
        int port = FreePorts.next();
        try (Registries registries = new Registries()) {
            RedisRegistry provider = registries.create("127.0.0.1:" + port, "check=false&reconnect.period=200&retry.period=500");
            RedisRegistry consumer = registries.create("127.0.0.1:" + port, "check=false&reconnect.period=200&retry.period=500");
            assertThat(provider.isAvailable()).isFalse();
            URL p = url(provider, "dubbo://10.0.0.1:20880/com.foo.Late?interface=com.foo.Late&check=false");
            provider.register(p);
            Notifications heard = new Notifications();
            consumer.subscribe(url(consumer, "consumer://10.0.0.2/com.foo.Late?interface=com.foo.Late&category=providers"
                    + "&check=false"), heard);

            try (RedisServer late = RedisServer.builder().port(port).build().start(); RespClient raw = late.client()) {
                await().atMost(Duration.ofSeconds(10)).until(provider::isAvailable);
                await().atMost(Duration.ofSeconds(10)).until(() -> raw.hgetall("/dubbo/com.foo.Late/providers").size() == 1);
                await().atMost(Duration.ofSeconds(10)).until(() -> heard.current("com.foo.Late", "providers").equals(
                        java.util.List.of(p)));
            }
        }
    }
}
