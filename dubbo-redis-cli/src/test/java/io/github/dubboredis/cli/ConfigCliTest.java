package io.github.dubboredis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.apache.dubbo.common.utils.JsonUtils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.github.dubboredis.testkit.RedisServer;
import io.github.dubboredis.testkit.RespClient;

/**
 * {@code config ls|get|put|rm} against a real Redis: rules checked with Dubbo's own parsers before they are written
 * (each silent pitfall refused or warned about), written where Dubbo reads them, and Redis data escaped on screen.
 */
class ConfigCliTest {

    private static final String HASH = "dubbo-redis:{config:dubbo:dubbo}";
    private static final String SERVICE_CONDITION = "org.apache.dubbo.demo.DemoService::.condition-router";

    private static RedisServer redis;
    private static String address;

    record Run(int exit, String out, String err) {
        @SuppressWarnings("unchecked")
        Map<String, Object> json() {
            return JsonUtils.toJavaObject(out, Map.class);
        }
    }

    @BeforeAll
    static void start() {
        redis = RedisServer.startDefault();
        address = "redis://" + redis.address();
    }

    @AfterAll
    static void stop() {
        redis.close();
    }

    private static Run cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = RegistryCli.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(exit, out.toString(), err.toString());
    }

    private static String rule(String name) {
        try {
            return Path.of(ConfigCliTest.class.getResource("/rules/" + name).toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aValidRuleIsWrittenWhereDubboReadsItListedShownAndRemoved() {
        try (RespClient raw = redis.client()) {
            Run put = cli("config", "put", SERVICE_CONDITION, rule("condition-service.yaml"), "-a", address);
            assertThat(put.exit()).as(put.out() + put.err()).isZero();
            assertThat(put.out()).contains("written: " + SERVICE_CONDITION).contains("condition rule");
            assertThat(String.valueOf(raw.call("HGET", HASH, SERVICE_CONDITION))).contains("=> host=192.168.1.10 & port=20880");

            Run ls = cli("config", "ls", "-a", address, "--json");
            assertThat(ls.exit()).isZero();
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> keys = (List<Map<String, Object>>) ls.json().get("keys");
            assertThat(keys).anySatisfy(k -> assertThat(k).containsEntry("key", SERVICE_CONDITION)
                    .containsEntry("kind", "condition-router"));
            assertThat(cli("config", "ls", "-a", address).out()).contains(SERVICE_CONDITION).contains("condition-router");

            Run get = cli("config", "get", SERVICE_CONDITION, "-a", address);
            assertThat(get.out()).contains("configVersion: v3.0").contains("- \"=> host=192.168.1.10 & port=20880\"");

            Run rm = cli("config", "rm", SERVICE_CONDITION, "-a", address);
            assertThat(rm.out()).contains("removed: " + SERVICE_CONDITION);
            assertThat(raw.call("HGET", HASH, SERVICE_CONDITION)).isNull();
            assertThat(cli("config", "get", SERVICE_CONDITION, "-a", address).exit()).isEqualTo(1);
        }
    }

    @Test
    void everySampleRuleDubboCanUseIsAcceptedUnderTheKeyItTargets() {
        Map<String, String> valid = Map.of(
                "condition-service.yaml", SERVICE_CONDITION,
                "condition-app.yaml", "demo-consumer.condition-router",
                "condition-v31.yaml", SERVICE_CONDITION,
                "tag-gray.yaml", "demo-provider.tag-router",
                "tag-gray-match.yaml", "demo-provider.tag-router",
                "override-service.yaml", "org.apache.dubbo.demo.DemoService::.configurators",
                "override-service-gv.yaml", "org.apache.dubbo.demo.DemoService:1.0.0:g1.configurators",
                "override-service-ifaceonly-consumer.yaml", "org.apache.dubbo.demo.DemoService::.configurators",
                "override-app-disable.yaml", "demo-provider.configurators");
        valid.forEach((file, key) -> {
            Run check = cli("config", "put", key, rule(file), "--dry-run", "-a", address, "--json");
            assertThat(check.exit()).as(file + ": " + check.out()).isZero();
            assertThat(check.json()).as(file).containsEntry("errors", List.of()).containsEntry("written", false);
        });
    }

    @Test
    void rulesDubboWouldIgnoreInSilenceAreRefusedSayingWhy() {
        Map<String, List<String>> refused = Map.ofEntries(
                Map.entry("bad-condition-v4.yaml|" + SERVICE_CONDITION, List.of("above v3.1")),
                Map.entry("bad-condition-empty.yaml|" + SERVICE_CONDITION, List.of("no conditions")),
                Map.entry("bad-condition-scalar.yaml|" + SERVICE_CONDITION, List.of("cannot read this condition rule")),
                Map.entry("bad-condition-syntax.yaml|" + SERVICE_CONDITION, List.of("condition 'host = 1.1.1.1 => => port=1'")),
                Map.entry("bad-tag-notags.yaml|demo-provider.tag-router", List.of("no tags")),
                Map.entry("bad-override-noconfigs.yaml|org.apache.dubbo.demo.DemoService::.configurators", List.of("no 'configs'")),
                Map.entry("bad-override-nokey.yaml|org.apache.dubbo.demo.DemoService::.configurators",
                        List.of("service field in configuration is null")),
                Map.entry("bad-override-noparams.yaml|org.apache.dubbo.demo.DemoService::.configurators",
                        List.of("at least one parameter")),
                Map.entry("bad-override-noside.yaml|org.apache.dubbo.demo.DemoService::.configurators", List.of("has no 'side'")),
                // A service-level rule under an application-like key: Dubbo reads it for an application of that name.
                Map.entry("condition-service.yaml|org.apache.dubbo.demo.DemoService.condition-router",
                        List.of("a service-level rule is stored at <interface>:<version>:<group>.condition-router")),
                // Configurators whose 'key' names another service than the key they are stored under.
                Map.entry("override-service-gv.yaml|org.apache.dubbo.demo.DemoService::.configurators",
                        List.of("is for 'org.apache.dubbo.demo.DemoService:1.0.0:g1'")),
                Map.entry("tag-gray.yaml|org.apache.dubbo.demo.DemoService::.tag-router", List.of("per provider application")));
        try (RespClient raw = redis.client()) {
            refused.forEach((fileAndKey, expected) -> {
                String[] p = fileAndKey.split("\\|");
                Run put = cli("config", "put", p[1], rule(p[0]), "-a", address);
                assertThat(put.exit()).as(fileAndKey + ": " + put.out() + put.err()).isEqualTo(2);
                assertThat(put.out()).as(fileAndKey).contains("not written").contains("error: ");
                expected.forEach(e -> assertThat(put.out()).as(fileAndKey).contains(e));
                assertThat(raw.call("HEXISTS", HASH, p[1])).as(fileAndKey + " must not be written").isEqualTo(0L);
            });
        }
    }

    @Test
    void warningsDoNotStopTheWriteButAreShown() {
        Run put = cli("config", "put", SERVICE_CONDITION, rule("condition-service.yaml"), "--group", "other", "-a", address,
                "--json");
        assertThat(put.exit()).isZero();
        assertThat(put.json()).containsEntry("written", true);
        assertThat(put.json().get("warnings").toString()).contains("Dubbo reads these rules from group 'dubbo' only");
        cli("config", "rm", SERVICE_CONDITION, "--group", "other", "-a", address);
    }

    @Test
    void putWithExpectWritesOnlyOverWhatWasRead() throws Exception {
        String key = "demo-provider.tag-router";
        Run first = cli("config", "put", key, rule("tag-gray.yaml"), "--expect", "none", "-a", address, "--json");
        assertThat(first.json()).containsEntry("written", true);
        String ticket = (String) cli("config", "get", key, "-a", address, "--json").json().get("ticket");
        assertThat(cli("config", "put", key, rule("tag-gray.yaml"), "--expect", "none", "-a", address).exit())
                .as("it exists now").isEqualTo(1);

        Path edited = Files.createTempFile("tag", ".yaml");
        Files.writeString(edited, Files.readString(Path.of(rule("tag-gray.yaml"))).replace("force: false", "force: true"));
        assertThat(cli("config", "put", key, edited.toString(), "--expect", ticket, "-a", address).exit()).isZero();
        Run stale = cli("config", "put", key, rule("tag-gray.yaml"), "--expect", ticket, "-a", address);
        assertThat(stale.exit()).isEqualTo(1);
        assertThat(stale.out()).contains("changed since the ticket was read");
        cli("config", "rm", key, "-a", address);
    }

    @Test
    void redisDataIsEscapedOnScreen() {
        try (RespClient raw = redis.client()) {
            raw.call("HSET", HASH, "evil\u001b[2J.tag-router", "line one\nline\u001b]0;title\u0007 two");
            Run ls = cli("config", "ls", "-a", address);
            assertThat(ls.out()).contains("evil\\x1b[2J.tag-router").doesNotContain("\u001b");
            Run get = cli("config", "get", "evil\u001b[2J.tag-router", "-a", address);
            assertThat(get.out()).contains("line one\n").contains("line\\x1b]0;title\\x07 two").doesNotContain("\u001b");
            Run rm = cli("config", "rm", "evil\u001b[2J.tag-router", "-a", address);
            assertThat(rm.out()).as("garbage can be removed").contains("removed: evil\\x1b[2J.tag-router");
            assertThat(raw.call("HLEN", HASH)).isEqualTo(0L);
        }
    }
}
