package io.github.dubboredis.registry;

import static io.github.dubboredis.support.Registries.url;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.dubbo.common.URL;
import org.junit.jupiter.api.Test;

import io.github.dubboredis.dubbo.RedisRegistry;
import io.github.dubboredis.inspect.OperatorSession;
import io.github.dubboredis.support.Engines;
import io.github.dubboredis.support.Notifications;
import io.github.dubboredis.support.Registries;
import io.github.dubboredis.testkit.RedisBinary;
import io.github.dubboredis.testkit.RedisServer;
import io.github.dubboredis.testkit.RespClient;

/**
 * A rolling upgrade on Redis 7 functions: each version of the registry has a library of its own, named by a digest
 * of its code, so another version's library, loaded beside it, is never called (here an "other version" whose every
 * function fails), and both stay loaded.
 */
class FunctionLibraryVersionsTest {

    private static final String SERVICE = "com.foo.Versions";
    private static final Pattern FUNCTION = Pattern.compile("register_function\\('([^']+)'");

    @Test
    void anotherVersionsLibraryIsNeverCalledAndBothStayLoaded() {
        List<RedisBinary> withFunctions = RedisBinary.all().stream().filter(b -> b.majorVersion() >= 7).toList();
        assumeThat(withFunctions).as("no Redis 7 here (functions came with it): library versions not checked").isNotEmpty();
        String ours = OperatorSession.functionLibrary();
        String ourName = ours.lines().findFirst().orElseThrow().substring("#!lua name=".length());
        String otherName = "dubboredis_0123456789ab";
        assertThat(ourName).matches("dubboredis_[0-9a-f]{12}").isNotEqualTo(otherName);
        for (RedisBinary binary : withFunctions) {
            try (RedisServer redis = RedisServer.builder().binary(binary).build().start(); RespClient raw = redis.client()) {
                raw.call("FUNCTION", "LOAD", otherVersion(ours, ourName, otherName));

                // Only the other version's library: this registry runs its steps as scripts, and works.
                registerAndHear(redis, "scripts");

                try (OperatorSession operator = OperatorSession.open(Engines.settings("redis://" + redis.address()), "operator")) {
                    operator.loadFunctions().join();
                }
                // Both loaded: this registry calls its own functions, never the other's (which would fail).
                registerAndHear(redis, "functions");
                assertThat(raw.call("FUNCTION", "LIST").toString()).contains(ourName).contains(otherName);
            }
        }
    }

    private static void registerAndHear(RedisServer redis, String steps) {
        try (Registries registries = new Registries()) {
            RedisRegistry provider = registries.create(redis.address(), "session=4000");
            RedisRegistry consumer = registries.create(redis.address(), "session=4000&application=consumer");
            Notifications heard = new Notifications();
            consumer.subscribe(url(consumer, "consumer://10.0.0.2/" + SERVICE + "?interface=" + SERVICE + "&category=providers"),
                    heard);
            URL p = url(provider, "dubbo://10.0.0.1:20880/" + SERVICE + "?interface=" + SERVICE + "&steps=" + steps);
            provider.register(p);
            await().atMost(Duration.ofSeconds(10)).until(() -> heard.current(SERVICE, "providers").contains(p));
            provider.unregister(p);
            await().atMost(Duration.ofSeconds(10)).until(() -> !heard.current(SERVICE, "providers").contains(p));
            assertThat(provider.engine().store().serverSteps()).isEqualTo(steps);
        }
    }

    /** The same functions under another version's names, each failing: called by mistake, a step would fail. */
    private static String otherVersion(String ours, String ourName, String otherName) {
        StringBuilder other = new StringBuilder("#!lua name=" + otherName + "\n");
        Matcher m = FUNCTION.matcher(ours);
        List<String> names = new ArrayList<>();
        while (m.find()) {
            names.add(m.group(1));
        }
        assertThat(names).isNotEmpty().allMatch(n -> n.startsWith(ourName + "_"));
        for (String name : names) {
            other.append("redis.register_function('").append(otherName).append(name.substring(ourName.length()))
                    .append("', function(KEYS, ARGV) return redis.error_reply('another version was called') end)\n");
        }
        return other.toString();
    }
}
