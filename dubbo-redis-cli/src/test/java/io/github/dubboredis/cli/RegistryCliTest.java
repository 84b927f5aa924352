package io.github.dubboredis.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.dubbo.common.URL;
import org.apache.dubbo.common.utils.JsonUtils;
import org.junit.jupiter.api.Test;

import io.github.dubboredis.config.RegistryAddress;
import io.github.dubboredis.config.SettingsParser;
import io.github.dubboredis.internal.lettuce.LettuceRuntime;
import io.github.dubboredis.internal.store.StoreHandle;
import io.github.dubboredis.testkit.RedisServer;
import io.github.dubboredis.testkit.RespClient;

/** The CLI against a real Redis holding registry data as registries write it, and garbage. */
class RegistryCliTest {

    private static final String PROVIDERS = "/dubbo/com.foo.Cli/providers";
    private static final String LIVE = "dubbo://10.0.0.1:20880/com.foo.Cli?interface=com.foo.Cli&version=1.0&side=provider";
    private static final String DEAD = "dubbo://10.0.0.2:20880/com.foo.Cli?interface=com.foo.Cli&version=1.0&side=provider";

    record Run(int exit, String out, String err) {
        @SuppressWarnings("unchecked")
        Map<String, Object> json() {
            return JsonUtils.toJavaObject(out, Map.class);
        }
    }

    private static Run cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = RegistryCli.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(exit, out.toString(), err.toString());
    }

    private static void populate(RespClient raw) {
        long now = System.currentTimeMillis();
        raw.call("HSET", PROVIDERS, LIVE, Long.toString(now + 60_000), DEAD, Long.toString(now - 600_000));
        raw.call("HSET", "/dubbo/com.foo.Cli/consumers", "consumer://10.0.0.3/com.foo.Cli?interface=com.foo.Cli&category=consumers",
                Long.toString(now + 60_000));
        raw.call("HSET", "dubbo-redis:/dubbo/:instances:cli-app",
                "{\"serviceName\":\"cli-app\",\"host\":\"10.0.0.5\",\"port\":20880,\"metadata\":{}}", Long.toString(now + 60_000));
    }

    @Test
    @SuppressWarnings("unchecked")
    void lsShowAndReapTellWhatIsRegisteredAndRemoveTheDead() {
        try (RedisServer redis = RedisServer.startDefault(); RespClient raw = redis.client()) {
            populate(raw);
            String address = "redis://" + redis.address();

            Run ls = cli("ls", "-a", address, "--json");
            assertThat(ls.exit()).isZero();
            List<Map<String, Object>> services = (List<Map<String, Object>>) ls.json().get("services");
            assertThat(services).singleElement().satisfies(s -> {
                assertThat(s).containsEntry("service", "com.foo.Cli").containsEntry("providers", 1).containsEntry("consumers", 1)
                        .containsEntry("dead", 1);
            });
            assertThat((List<Map<String, Object>>) ls.json().get("applications")).singleElement()
                    .satisfies(a -> assertThat(a).containsEntry("application", "cli-app").containsEntry("instances", 1));
            assertThat(cli("ls", "-a", address).out()).contains("com.foo.Cli").contains("cli-app");

            Run show = cli("show", "com.foo.Cli", "-a", address, "--json");
            assertThat(show.exit()).isZero();
            List<Map<String, Object>> entries = ((List<Map<String, Object>>) show.json().get("categories")).stream()
                    .filter(c -> "providers".equals(c.get("category"))).findFirst().map(c -> (List<Map<String, Object>>) c.get("entries"))
                    .orElseThrow();
            assertThat(entries).extracting(e -> e.get("address") + " " + e.get("state"))
                    .containsExactlyInAnyOrder("10.0.0.1:20880 live", "10.0.0.2:20880 dead");
            assertThat(entries).filteredOn(e -> "live".equals(e.get("state"))).singleElement()
                    .satisfies(e -> assertThat(((Map<String, Object>) e.get("parameters"))).containsEntry("version", "1.0"));
            assertThat(cli("show", "com.foo.Cli", "-a", address).out()).contains("DEAD (expired");
            assertThat(cli("show", "cli-app", "--application", "-a", address).out()).contains("10.0.0.5");

            Run dryRun = cli("reap", "--dry-run", "-a", address);
            assertThat(dryRun.out()).contains("would remove " + PROVIDERS).contains("1 dead entry found, nothing changed");
            assertThat(raw.hgetall(PROVIDERS)).hasSize(2);
            Run reap = cli("reap", "-a", address, "--json");
            assertThat(reap.json()).containsEntry("removed", 1);
            assertThat(raw.hgetall(PROVIDERS)).containsOnlyKeys(LIVE);
        }
    }

    @Test
    void watchStreamsRegisterUnregisterAndExpiredEvents() throws Exception {
        try (RedisServer redis = RedisServer.startDefault(); RespClient raw = redis.client()) {
            populate(raw);
            String expiring = LIVE.replace("10.0.0.1", "10.0.0.6");
            raw.call("HSET", PROVIDERS, expiring, Long.toString(System.currentTimeMillis() + 1000));
            CompletableFuture<Run> watching = CompletableFuture.supplyAsync(() ->
                    cli("watch", "com.foo.Cli", "-a", "redis://" + redis.address(), "--max-events", "3", "--duration", "20"));
            Thread.sleep(1500);
            String added = LIVE.replace("10.0.0.1", "10.0.0.7");
            raw.call("HSET", PROVIDERS, added, Long.toString(System.currentTimeMillis() + 60_000));
            raw.call("PUBLISH", PROVIDERS, "register");
            Thread.sleep(200);
            raw.call("HDEL", PROVIDERS, added);
            raw.call("PUBLISH", PROVIDERS, "unregister");
            Thread.sleep(200);
            Thread.sleep(500); // the entry seen live at the start has expired by now: its removal is an expiry
            raw.call("HDEL", PROVIDERS, expiring);
            raw.call("PUBLISH", PROVIDERS, "unregister");
            Run run = watching.get();
            assertThat(run.exit()).isZero();
            assertThat(run.out()).contains("register   " + PROVIDERS + " " + added)
                    .contains("unregister " + PROVIDERS + " " + added)
                    .contains("expired    " + PROVIDERS + " " + expiring);
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void doctorFindsWhatIsWrongWithAMisconfiguredRedisAndSaysHowToFixIt() {
        try (RedisServer redis = RedisServer.builder().config("maxmemory-policy allkeys-lru").build().start();
                RespClient raw = redis.client()) {
            populate(raw);
            raw.call("SET", "/dubbo/com.foo.Str/providers", "oops");
            raw.call("HSET", "/dubbo/com.foo.Bad/providers", LIVE.replace("Cli", "Bad"), "soon");
            raw.call("HSET", PROVIDERS, LIVE.replace("10.0.0.1", "10.0.0.8"), Long.toString(System.currentTimeMillis() + 3_600_000));

            Run doctor = cli("doctor", "-a", "redis://" + redis.address(), "--json");
            assertThat(doctor.exit()).as(doctor.err()).isEqualTo(1);
            assertThat(doctor.json()).containsEntry("healthy", false);
            List<Map<String, String>> findings = (List<Map<String, String>>) doctor.json().get("findings");
            assertThat(findings).anySatisfy(f -> assertThat(f).containsEntry("level", "PROBLEM").containsEntry("check", "eviction"));
            assertThat(findings).anySatisfy(f -> assertThat(f).containsEntry("check", "persistence").containsEntry("level", "WARNING"));
            assertThat(findings).anySatisfy(f -> assertThat(f.get("message")).contains("/dubbo/com.foo.Str/providers").contains("not a hash"));
            assertThat(findings).anySatisfy(f -> assertThat(f.get("message")).contains("expiry is not 1 to 15 decimal digits"));
            assertThat(findings).anySatisfy(f -> assertThat(f).containsEntry("check", "clock skew"));
            assertThat(findings).anySatisfy(f -> assertThat(f).containsEntry("check", "expired"));
            assertThat(findings).allSatisfy(f -> assertThat(f).containsKey("fix"));
            assertThat(findings).anySatisfy(f -> assertThat(f).containsEntry("check", "permissions").containsEntry("level", "OK"));

            Run text = cli("doctor", "-a", "redis://" + redis.address());
            assertThat(text.out()).contains("fix: CONFIG SET maxmemory-policy noeviction").contains("problems found");
        }
    }

    @Test
    void doctorOnAHealthyRedisPassesAndALimitedUserIsToldWhatIsDenied() {
        try (RedisServer redis = RedisServer.builder().config("appendonly yes")
                .config("user limited on >Limited-Secret-4 ~* &* +@all -eval -evalsha")
                .config("user older on >Older-Secret-5 ~* resetchannels &/dubbo/* +@all").build().start()) {
            Run healthy = cli("doctor", "-a", "redis://" + redis.address());
            assertThat(healthy.exit()).as(healthy.out()).isZero();
            assertThat(healthy.out()).contains("no problems found");

            Run limited = cli("doctor", "-a", "redis://limited:Limited-Secret-4@" + redis.address(), "--json");
            assertThat(limited.exit()).isEqualTo(1);
            assertThat(limited.out()).contains("write and remove an entry").contains("run neither the registry's functions nor "
                    + "scripts").contains("ACL rule in docs/hostile-input.md#acl").doesNotContain("Limited-Secret-4");

            // An ACL without the channels '&dubbo-redis:*' (the probes announce and subscribe under the registry's prefix).
            Run olderAcl = cli("doctor", "-a", "redis://older:Older-Secret-5@" + redis.address());
            assertThat(olderAcl.exit()).isEqualTo(1);
            assertThat(olderAcl.out()).contains("denied:").contains("subscribe (").doesNotContain("run neither");
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void failbackAsksTheRegistriesOnTheBackupToMoveBackToTheFirstNode() {
        try (RedisServer first = RedisServer.startDefault(); RedisServer second = RedisServer.startDefault()) {
            String address = "redis://" + first.address() + "?backup=" + second.address() + "&connect.timeout=500&reconnect.period=200";
            // An application's connection (shared by its registries), on the backup after a failure. Its timeout
            // differs from the CLI's so that, in this one JVM, the two do not share a connection.
            URL url = URL.valueOf(address + "&timeout=2500");
            try (LettuceRuntime application = new LettuceRuntime("application");
                    StoreHandle registry = application.acquire(SettingsParser.parse(new RegistryAddress(url.getHost(),
                            url.getPort(), null, null, url.getParameters())).connection(), true)) {
                first.kill();
                Run whileDown = cli("failback", "-a", address);
                assertThat(whileDown.exit()).as("the first node cannot be asked").isEqualTo(1);
                assertThat(whileDown.out()).contains(first.address() + " ").contains("NOT ASKED");
                await().atMost(Duration.ofSeconds(10)).until(() -> writesLandOn(registry, second));
                first.start();

                Run failback = cli("failback", "-a", address, "--json");
                assertThat(failback.exit()).as(failback.err()).isZero();
                assertThat((List<Map<String, Object>>) failback.json().get("nodes"))
                        .extracting(n -> n.get("node") + " " + n.get("heardBy") + " " + n.get("failure"))
                        .containsExactly(first.address() + " 0 null", second.address() + " 1 null");
                await().atMost(Duration.ofSeconds(10)).until(() -> writesLandOn(registry, first));
            }
            Run notFailover = cli("failback", "-a", "redis://" + second.address());
            assertThat(notFailover.exit()).isEqualTo(2);
            assertThat(notFailover.err()).contains("cluster=failover with several nodes");
            Run help = cli("failback", "--help");
            assertThat(help.exit()).isZero();
            assertThat(help.out()).contains("move back to").contains("--address");
        }
    }

    /** Whether a write through the store reaches this node (and so is where the store is now). */
    private static boolean writesLandOn(StoreHandle store, RedisServer node) {
        String probe = "probe-" + System.nanoTime();
        try (RespClient raw = node.client()) {
            store.store().setValue("failback-test", probe, 0).join();
            return probe.equals(raw.string("GET", "failback-test"));
        } catch (RuntimeException e) {
            return false; // the write failed: the store is between nodes
        }
    }

    @Test
    void connectionProblemsAndBadSettingsGiveScriptableExitCodesWithoutSecrets() {
        try (RedisServer redis = RedisServer.builder().password("Cli-Secret-9").build().start()) {
            Run wrong = cli("ls", "-a", "redis://default:Wrong-Secret-1@" + redis.address());
            assertThat(wrong.exit()).isEqualTo(3);
            assertThat(wrong.err()).contains("refused the credentials").doesNotContain("Wrong-Secret-1").doesNotContain("Cli-Secret-9");
        }
        Run badSetting = cli("ls", "-a", "redis://127.0.0.1:6379?cluster=mirror");
        assertThat(badSetting.exit()).isEqualTo(2);
        assertThat(badSetting.err()).contains("'cluster'");
        assertThat(cli("no-such-command").exit()).isEqualTo(2);
    }

    @Test
    void theCliReachesRedisOnIpv6() {
        try (RedisServer redis = RedisServer.builder().ipv6().build().start(); RespClient raw = redis.client()) {
            populate(raw);
            Run ls = cli("ls", "-a", "redis://" + redis.address());
            assertThat(ls.exit()).as(ls.err()).isZero();
            assertThat(ls.out()).contains("com.foo.Cli");
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void consoleServesThePageAndItsApiOnLoopbackAndPrintsATokenOnlyWhenWritesAreAllowed() throws Exception {
        try (RedisServer redis = RedisServer.startDefault(); RespClient raw = redis.client()) {
            populate(raw);
            String address = "redis://" + redis.address();
            StringWriter out = new StringWriter();
            CompletableFuture<Integer> running = CompletableFuture.supplyAsync(() -> RegistryCli.run(new String[] {"console", "-a",
                address, "--port", "0", "--duration", "12"}, new PrintWriter(out, true), new PrintWriter(new StringWriter(), true)));
            await().atMost(Duration.ofSeconds(15)).until(() -> out.toString().contains("http://"));
            Matcher url = Pattern.compile("at (http://127\\.0\\.0\\.1:\\d+/) \\(read-only")
                    .matcher(out.toString());
            assertThat(url.find()).as(out.toString()).isTrue();
            assertThat(out.toString()).doesNotContain("token");
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> services = http.send(HttpRequest.newBuilder(
                    URI.create(url.group(1) + "api/services")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(services.statusCode()).isEqualTo(200);
            assertThat((List<Map<String, Object>>) new Run(0, services.body(), "").json().get("services"))
                    .singleElement().satisfies(s -> assertThat(s).containsEntry("service", "com.foo.Cli").containsEntry("providers", 1));
            assertThat(http.send(HttpRequest.newBuilder(URI.create(url.group(1))).build(),
                    HttpResponse.BodyHandlers.ofString()).body()).contains("<script src=\"/console.js\"");

            Run writable = cli("console", "-a", address, "--port", "0", "--duration", "1", "--allow-writes", "--bind", "0.0.0.0");
            assertThat(writable.exit()).as(writable.err()).isZero();
            assertThat(writable.out()).contains("actions allowed").containsPattern("token \\(paste it into the page\\): [A-Za-z0-9_-]{40,}")
                    .contains("warning: listening on 0.0.0.0");
            assertThat(running.get(30, TimeUnit.SECONDS)).isZero();

            Run taken;
            try (ServerSocket busy = new java.net.ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
                taken = cli("console", "-a", address, "--port", Integer.toString(busy.getLocalPort()), "--duration", "1");
            }
            assertThat(taken.exit()).isEqualTo(2);
            assertThat(taken.err()).contains("cannot listen on 127.0.0.1:");
        }
    }
}
