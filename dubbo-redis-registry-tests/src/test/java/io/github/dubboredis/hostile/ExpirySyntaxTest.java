package io.github.dubboredis.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

import io.github.dubboredis.dubbo.RedisRegistry;
import io.github.dubboredis.inspect.OperatorSession;
import io.github.dubboredis.internal.model.RegistryEntry;
import io.github.dubboredis.support.Engines;
import io.github.dubboredis.support.Registries;
import io.github.dubboredis.testkit.RedisBinary;
import io.github.dubboredis.testkit.RedisServer;
import io.github.dubboredis.testkit.RespClient;

/**
 * Finding 7 of issue 13: Lua's {@code tonumber} took {@code 1e13}, {@code 0x...} and {@code -inf} for expiries,
 * so the sweeper deleted entries the registry called garbage; and {@code dynamic=} was read first-occurrence in
 * Lua, last-occurrence in Java. Now both accept exactly 1 to 15 ASCII digits, and both take the last
 * {@code dynamic=}. Every odd form goes through the Java parser and through the real server-side step (the sweep),
 * on every Redis version here, as a script (EVALSHA) and, on Redis 7, as a function (FCALL).
 */
class ExpirySyntaxTest {

    /** Values that are not expiries, in Java and in Lua alike. */
    static final List<String> NOT_EXPIRIES = List.of("1e13", "1E3", "0x10", "0X1F", "-inf", "inf", "+inf", "nan", "-nan",
            "+5", "-5", " 5", "5 ", "\t5", "5\n", "5.0", "5.", ".5", "", "1234567890123456", "\u0665", "５", "1_000",
            "0b101", "5e", "1,000", "0x", "infinity");
    /** Values that are, and long past: swept by both. */
    static final List<String> PAST_EXPIRIES = List.of("0", "1", "0005", "000000000000001", "999999999999");

    private static final String SERVICE = "com.foo.Syntax";
    private static final String KEY = "/dubbo/" + SERVICE + "/providers";

    private static String url(int n, String query) {
        return "dubbo://10.0." + n / 250 + "." + n % 250 + ":20880/" + SERVICE + "?interface=" + SERVICE + query;
    }

    @Test
    void javaAndTheServerSideStepsAgreeOnEveryOddExpiryAndOnDynamic() {
        for (RedisBinary binary : RedisBinary.all()) {
            try (RedisServer redis = RedisServer.builder().binary(binary).build().start(); RespClient raw = HostileRedis.client(redis)) {
                sweepAndCompare(redis, raw, binary + " as scripts (EVALSHA)", "scripts");
                if (binary.majorVersion() >= 7) {
                    try (OperatorSession operator = OperatorSession.open(Engines.settings("redis://" + redis.address()), "operator")) {
                        operator.loadFunctions().join();
                    }
                    sweepAndCompare(redis, raw, binary + " as functions (FCALL)", "functions");
                }
            }
        }
    }

    /** Writes every form, sweeps with a fresh registry, and compares what was removed with what Java calls dead. */
    private static void sweepAndCompare(RedisServer redis, RespClient raw, String how, String expectedSteps) {
        raw.call("DEL", KEY);
        long now = HostileRedis.redisNow(raw);
        String future = Long.toString(now + 3_600_000);
        Map<String, String> entries = new LinkedHashMap<>();
        int n = 0;
        for (String value : NOT_EXPIRIES) {
            entries.put(url(n++, ""), value);
        }
        for (String value : PAST_EXPIRIES) {
            entries.put(url(n++, ""), value);
        }
        entries.put(url(n++, ""), future);
        // dynamic=: the last one wins, else the last default.dynamic=; empty or true (any case) is dynamic.
        for (String query : List.of("&dynamic=false&dynamic=true", "&dynamic=true&dynamic=false", "&default.dynamic=false",
                "&dynamic=&default.dynamic=false", "&dynamic=TRUE", "&dynamic=True&default.dynamic=false", "&dynamic=yes",
                "&dynamic=false&default.dynamic=true", "&dynamic=0", "&dynamic= true")) {
            entries.put(url(n++, query), "1");
        }
        List<String[]> writes = new java.util.ArrayList<>();
        entries.forEach((field, value) -> writes.add(new String[] {"HSET", KEY, field, value}));
        raw.pipeline(writes);

        // What Java makes of each entry: garbage (skipped), or an entry that is dead at this time, or live.
        Set<String> javaDead = new TreeSet<>();
        Set<String> javaGarbage = new TreeSet<>();
        entries.forEach((field, value) -> {
            try {
                if (!RegistryEntry.parse(field, value).isLiveAt(now)) {
                    javaDead.add(field);
                }
            } catch (RegistryEntry.MalformedEntryException e) {
                javaGarbage.add(field);
            }
        });
        for (String value : NOT_EXPIRIES) {
            assertThat(RegistryEntry.parseExpiry(value)).as("Java reads '%s'", value).isEqualTo(-1);
        }

        try (Registries registries = new Registries()) {
            RedisRegistry registry = registries.create(redis.address(), "session=600000&reap.grace=0");
            int removed = registry.engine().maintenance().sweepNow().join();
            assertThat(registry.engine().store().serverSteps()).as(how).isEqualTo(expectedSteps);
            Set<String> luaDead = new TreeSet<>(entries.keySet());
            luaDead.removeAll(raw.hgetall(KEY).keySet());
            assertThat(luaDead).as("removed by the sweep %s: exactly what Java calls dead", how).isEqualTo(javaDead);
            assertThat(removed).isEqualTo(javaDead.size());
            assertThat(javaGarbage).as("garbage to Java, kept by the sweep").hasSize(NOT_EXPIRIES.size());
            assertThat(javaDead).as("the dynamic ones among the past expiries and dynamic= forms")
                    .hasSize(PAST_EXPIRIES.size() + 4);
        }
    }
}
