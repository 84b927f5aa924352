package io.github.dubboredis.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.apache.dubbo.common.URL;
import org.apache.dubbo.common.utils.JsonUtils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.github.dubboredis.config.RedisRegistrySettings;
import io.github.dubboredis.config.RegistryAddress;
import io.github.dubboredis.config.SettingsParser;
import io.github.dubboredis.inspect.OperatorSession;
import io.github.dubboredis.testkit.RedisServer;
import io.github.dubboredis.testkit.RespClient;

/** The console's JSON API and event stream against a real Redis holding registry data, garbage and hostile names. */
class ConsoleApiTest {

    static final String PROVIDERS = "/dubbo/com.foo.Hello/providers";
    static final String LIVE = "dubbo://10.0.0.1:20880/com.foo.Hello?interface=com.foo.Hello&version=1.0&side=provider";
    static final String DEAD = "dubbo://10.0.0.2:20880/com.foo.Hello?interface=com.foo.Hello&version=1.0&side=provider";
    /** A service name a browser would run if it were markup, with a terminal escape, a line break and U+2028. */
    static final String HOSTILE_SERVICE = "com.evil.<img src=x onerror=window.__pwned=2>\u001b[31m\nred\u2028<b>bold";
    static final String HOSTILE_URL = "dubbo://10.6.6.6:20880/com.evil?x=<script>window.__pwned=1;alert(1)</script>"
            + "&y=\u001b]0;owned\u0007&z=%3Csvg%20onload%3Dalert(1)%3E";
    static final String HOSTILE_APP = "<svg onload=window.__pwned=4>app";

    private RedisServer redis;
    private RespClient raw;
    private OperatorSession session;
    private ConsoleServer console;

    static RedisRegistrySettings settings(String address) {
        URL url = URL.valueOf(address);
        return SettingsParser.parse(new RegistryAddress(url.getHost(), url.getPort(), url.getUsername(), url.getPassword(),
                url.getParameters()));
    }

    @BeforeEach
    void startRedis() {
        redis = RedisServer.startDefault();
        raw = redis.client();
        session = OperatorSession.open(settings("redis://" + redis.address() + "?session=4000"), "console-test");
    }

    @AfterEach
    void stop() {
        if (console != null) {
            console.close();
        }
        session.close();
        raw.close();
        redis.close();
    }

    private RawHttp start(ConsoleOptions options) throws IOException {
        console = ConsoleServer.start(session, options.withBind("127.0.0.1", 0));
        return new RawHttp(console.port());
    }

    private void populate() {
        long now = System.currentTimeMillis();
        raw.call("HSET", PROVIDERS, LIVE, Long.toString(now + 60_000), DEAD, Long.toString(now - 600_000));
        raw.call("HSET", "/dubbo/com.foo.Hello/consumers", "consumer://10.0.0.3/com.foo.Hello?interface=com.foo.Hello&category=consumers",
                Long.toString(now + 60_000));
        raw.call("HSET", "dubbo-redis:/dubbo/:instances:hello-app",
                "{\"serviceName\":\"hello-app\",\"host\":\"10.0.0.5\",\"port\":20880,\"metadata\":{\"dubbo.metadata.revision\":\"abc\"}}",
                Long.toString(now + 60_000));
        raw.call("HSET", "dubbo:mapping", "com.foo.Hello", "hello-app,other-app", "com.foo.Other", "other-app");
        raw.call("SET", "/dubbo/not-a-hash", "oops");
    }

    private void populateHostile() {
        long now = System.currentTimeMillis();
        raw.call("HSET", "/dubbo/" + HOSTILE_SERVICE + "/providers", HOSTILE_URL, Long.toString(now + 60_000));
        raw.call("HSET", "/dubbo/com.evil.<script>window.__pwned=3</script>/providers", LIVE, Long.toString(now + 60_000));
        raw.call("HSET", "dubbo-redis:/dubbo/:instances:" + HOSTILE_APP,
                "{\"serviceName\":\"x\",\"host\":\"<img src=x onerror=alert(1)>\",\"port\":1,\"metadata\":{\"<b>k</b>\":\"\u001b[2J\"}}",
                Long.toString(now + 60_000));
        raw.call("HSET", "dubbo:mapping", "<script>window.__pwned=5</script>", "app<img src=x onerror=window.__pwned=6>,\u001b[31mred");
    }

    @Test
    @SuppressWarnings("unchecked")
    void servicesEntriesApplicationsAndMappingsAreServedWithTheirStateExpiryAndParameters() throws Exception {
        populate();
        RawHttp http = start(ConsoleOptions.defaults());

        RawHttp.Response services = http.get("/api/services");
        assertThat(services.status()).isEqualTo(200);
        assertThat(services.header("Content-Type")).isEqualTo("application/json; charset=utf-8");
        assertThat(services.header("X-Content-Type-Options")).isEqualTo("nosniff");
        assertThat(services.header("Content-Security-Policy")).contains("default-src 'none'").contains("script-src 'self'")
                .doesNotContain("unsafe-inline");
        assertThat((List<Map<String, Object>>) services.json().get("services")).singleElement().satisfies(s -> assertThat(s)
                .containsEntry("service", "com.foo.Hello").containsEntry("providers", 1).containsEntry("consumers", 1)
                .containsEntry("dead", 1));
        assertThat((List<String>) services.json().get("malformedKeys")).containsExactly("/dubbo/not-a-hash");

        Map<String, Object> service = http.get("/api/service?name=com.foo.Hello").json();
        long redisNow = ((Number) service.get("redisNow")).longValue();
        assertThat(redisNow).isCloseTo(System.currentTimeMillis(), org.assertj.core.data.Offset.offset(5_000L));
        List<Map<String, Object>> categories = (List<Map<String, Object>>) service.get("categories");
        Map<String, Object> providers = categories.stream().filter(c -> "providers".equals(c.get("category"))).findFirst().orElseThrow();
        assertThat(providers).containsEntry("key", PROVIDERS).containsEntry("live", 1).containsEntry("dead", 1).containsEntry("more", 0);
        List<Map<String, Object>> entries = (List<Map<String, Object>>) providers.get("entries");
        assertThat(entries).extracting(e -> e.get("address") + " " + e.get("state"))
                .containsExactlyInAnyOrder("10.0.0.1:20880 live", "10.0.0.2:20880 dead");
        assertThat(entries).filteredOn(e -> "live".equals(e.get("state"))).singleElement().satisfies(e -> {
            assertThat((Map<String, Object>) e.get("parameters")).containsEntry("version", "1.0").containsEntry("side", "provider");
            assertThat(((Number) e.get("expiryMillis")).longValue() - redisNow).isBetween(50_000L, 61_000L);
            assertThat(e).containsEntry("url", LIVE).containsEntry("dynamic", true);
        });

        assertThat((List<Map<String, Object>>) http.get("/api/applications").json().get("applications")).singleElement()
                .satisfies(a -> assertThat(a).containsEntry("application", "hello-app").containsEntry("instances", 1));
        Map<String, Object> app = (Map<String, Object>) http.get("/api/application?name=hello-app").json().get("key");
        assertThat((List<Map<String, Object>>) app.get("entries")).singleElement().satisfies(i -> {
            assertThat(i).containsEntry("address", "10.0.0.5:20880").containsEntry("state", "live");
            assertThat((Map<String, Object>) i.get("metadata")).containsEntry("dubbo.metadata.revision", "abc");
        });

        Map<String, Object> mappings = http.get("/api/mappings").json();
        assertThat(mappings).containsEntry("key", "dubbo:mapping").containsEntry("size", 2).containsEntry("more", 0);
        assertThat((List<Map<String, Object>>) mappings.get("mappings")).extracting(m -> m.get("interface") + " "
                + List.copyOf((List<?>) m.get("applications"))).containsExactly("com.foo.Hello [hello-app, other-app]",
                "com.foo.Other [other-app]");

        assertThat(http.get("/api/config-rules").json()).containsEntry("rules", List.of()).containsEntry("namespace", "dubbo")
                .containsEntry("group", "dubbo");
        // Rules as Dubbo's registry-as-centre default stores them: namespace of the registry's group, group dubbo.
        String rule = "configVersion: v3.0\nscope: service\nkey: com.foo.Hello\nconditions:\n  - 'host = \u001b[31m10.0.0.1 => '\n";
        session.configCentre("dubbo").put("dubbo", "com.foo.Hello.condition-router", rule).get(10, TimeUnit.SECONDS);
        session.configCentre("dubbo").put("dubbo", "hello-app.tag-router", "force: false").get(10, TimeUnit.SECONDS);
        Map<String, Object> rules = http.get("/api/config-rules").json();
        assertThat((List<Map<String, Object>>) rules.get("rules")).extracting(r -> r.get("key") + " " + r.get("kind"))
                .containsExactly("com.foo.Hello.condition-router condition route", "hello-app.tag-router tag route");
        assertThat(rules).containsEntry("more", false);
        Map<String, Object> content = http.get("/api/config-rule?key=com.foo.Hello.condition-router").json();
        assertThat(content).containsEntry("content", rule).containsEntry("kind", "condition route").containsEntry("cut", false);
        assertThat(http.get("/api/config-rule?key=com.foo.Nothing.configurators").status()).isEqualTo(404);
        Map<String, Object> doctor = http.get("/api/doctor").json();
        assertThat((List<Map<String, Object>>) doctor.get("findings")).anySatisfy(f -> assertThat(f)
                .containsEntry("check", "garbage").containsEntry("level", "PROBLEM")).allSatisfy(f -> assertThat(f).containsKey("fix"));
        assertThat(http.get("/api/overview").json()).containsEntry("allowWrites", false).containsEntry("root", "/dubbo/");
        assertThat(http.get("/api/nothing").status()).isEqualTo(404);
        assertThat(http.get("/api/service").status()).isEqualTo(400);
        assertThat(http.get("/api/service?name=%zz").status()).isEqualTo(400);
        assertThat(http.send("DELETE", "/api/services", Map.of()).status()).isEqualTo(405);
    }

    @Test
    void thePageIsServedAsFilesWithoutInlineScriptStyleOrAnythingFromElsewhere() throws Exception {
        RawHttp http = start(ConsoleOptions.defaults());
        RawHttp.Response page = http.get("/");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.header("Content-Type")).isEqualTo("text/html; charset=utf-8");
        assertThat(page.header("Content-Security-Policy")).isEqualTo(ConsoleServer.CONTENT_SECURITY_POLICY);
        assertThat(page.header("X-Frame-Options")).isEqualTo("DENY");
        assertThat(page.body()).containsPattern("<script src=\"/console.js\"").doesNotContainPattern("<script(?![^>]*\\ssrc=)")
                .doesNotContain("style=").doesNotContain("http://").doesNotContain("https://").doesNotContainPattern("\\son[a-z]+=");
        RawHttp.Response script = http.get("/console.js");
        assertThat(script.header("Content-Type")).isEqualTo("text/javascript; charset=utf-8");
        assertThat(script.body()).doesNotContain("innerHTML").doesNotContain("outerHTML").doesNotContain("insertAdjacentHTML")
                .doesNotContain("document.write").doesNotContain("eval(")
                .doesNotContainPattern("https?://(?!www\\.w3\\.org/2000/svg')");
        assertThat(http.get("/console.css").header("Content-Type")).isEqualTo("text/css; charset=utf-8");
    }

    @Test
    @SuppressWarnings("unchecked")
    void hostileNamesComeBackAsJsonWithoutMarkupOrControlCharactersAndParseToTheRawData() throws Exception {
        populate();
        populateHostile();
        RawHttp http = start(ConsoleOptions.defaults());
        for (String path : List.of("/api/services", "/api/applications", "/api/mappings",
                "/api/service?name=" + URLEncoder.encode(HOSTILE_SERVICE, StandardCharsets.UTF_8),
                "/api/application?name=" + URLEncoder.encode(HOSTILE_APP, StandardCharsets.UTF_8), "/api/doctor")) {
            RawHttp.Response r = http.get(path);
            assertThat(r.status()).as(path).isEqualTo(200);
            assertThat(r.body()).as(path).doesNotContain("<").doesNotContain(">").doesNotContain("\u001b").doesNotContain("\n")
                    .doesNotContain("\u2028");
        }
        List<Map<String, Object>> services = (List<Map<String, Object>>) http.get("/api/services").json().get("services");
        assertThat(services).extracting(s -> s.get("service")).contains(HOSTILE_SERVICE);
        assertThat((List<String>) http.get("/api/services").json().get("malformedKeys"))
                .contains("/dubbo/com.evil.<script>window.__pwned=3</script>/providers");

        Map<String, Object> service = http.get("/api/service?name=" + URLEncoder.encode(HOSTILE_SERVICE, StandardCharsets.UTF_8)).json();
        Map<String, Object> entry = ((List<Map<String, Object>>) ((List<Map<String, Object>>) service.get("categories")).get(0)
                .get("entries")).get(0);
        assertThat(entry).containsEntry("url", HOSTILE_URL).containsEntry("address", "10.6.6.6:20880");
        assertThat((Map<String, Object>) entry.get("parameters")).containsEntry("x", "<script>window.__pwned=1"); // Dubbo splits parameters at ";" too

        Map<String, Object> mappings = http.get("/api/mappings").json();
        assertThat((List<Map<String, Object>>) mappings.get("mappings")).anySatisfy(m -> assertThat(m)
                .containsEntry("interface", "<script>window.__pwned=5</script>")
                .satisfies(x -> assertThat(List.<Object>copyOf((List<?>) m.get("applications")))
                        .containsExactlyInAnyOrder("app<img src=x onerror=window.__pwned=6>", "[31mred"))); // trimmed, as Dubbo reads it
    }

    @Test
    @SuppressWarnings("unchecked")
    void entriesPerKeyAndListsAreCappedAndTheRestCounted() throws Exception {
        long later = System.currentTimeMillis() + 60_000;
        List<String> args = new ArrayList<>(List.of("HSET", PROVIDERS));
        for (int i = 0; i < 30; i++) {
            args.add(LIVE.replace("10.0.0.1", "10.0.1." + i));
            args.add(Long.toString(later));
        }
        raw.call(args.toArray(String[]::new));
        for (int i = 0; i < 7; i++) {
            raw.call("HSET", "/dubbo/com.foo.S" + i + "/providers", LIVE, Long.toString(later));
            raw.call("HSET", "dubbo:mapping", "com.foo.S" + i, "app" + i);
        }
        RawHttp http = start(ConsoleOptions.defaults().withListBounds(10, 5));

        Map<String, Object> providers = ((List<Map<String, Object>>) http.get("/api/service?name=com.foo.Hello").json()
                .get("categories")).get(0);
        assertThat((List<?>) providers.get("entries")).hasSize(10);
        assertThat(providers).containsEntry("live", 30).containsEntry("more", 20);
        Map<String, Object> services = http.get("/api/services").json();
        assertThat((List<?>) services.get("services")).hasSize(5);
        assertThat(services).containsEntry("more", 3);
        Map<String, Object> mappings = http.get("/api/mappings").json();
        assertThat((List<?>) mappings.get("mappings")).hasSize(5);
        assertThat(mappings).containsEntry("size", 7).containsEntry("more", 2);

        raw.call("DEL", "dubbo:mapping");
        raw.call("SET", "dubbo:mapping", "not a hash");
        assertThat(http.get("/api/mappings").json()).containsEntry("problem", "not a hash").containsEntry("mappings", List.of());
    }

    @Test
    @SuppressWarnings("unchecked")
    void theEventStreamPushesRegisterUnregisterAndExpiredAndHostileFieldsCannotBreakItsFrames() throws Exception {
        populate();
        start(ConsoleOptions.defaults());
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        HttpClient client = HttpClient.newHttpClient();
        HttpResponse<Stream<String>> response = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + console.port()
                + "/api/events")).build(), HttpResponse.BodyHandlers.ofLines());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("text/event-stream; charset=utf-8");
        Thread reader = new Thread(() -> response.body().forEach(lines::add), "sse-reader");
        reader.setDaemon(true);
        reader.start();
        await().atMost(Duration.ofSeconds(5)).until(() -> lines.contains("retry: 3000"));

        long now = System.currentTimeMillis();
        String forged = LIVE.replace("10.0.0.1", "10.0.0.9") + "&x=\n\nevent: registry\ndata: {\"type\":\"forged\"}\n\n<script>";
        raw.call("HSET", PROVIDERS, forged, Long.toString(now + 60_000));
        raw.call("PUBLISH", PROVIDERS, "register");
        Map<String, Object> registered = nextEvent(lines);
        assertThat(registered).containsEntry("type", "register").containsEntry("key", PROVIDERS).containsEntry("field", forged)
                .containsEntry("service", "com.foo.Hello").containsEntry("category", "providers").containsEntry("address", "10.0.0.9:20880");

        raw.call("HDEL", PROVIDERS, forged);
        raw.call("PUBLISH", PROVIDERS, "unregister");
        assertThat(nextEvent(lines)).containsEntry("type", "unregister").containsEntry("field", forged);

        String expiring = LIVE.replace("10.0.0.1", "10.0.0.8");
        raw.call("HSET", PROVIDERS, expiring, Long.toString(System.currentTimeMillis() + 800));
        raw.call("PUBLISH", PROVIDERS, "register");
        assertThat(nextEvent(lines)).containsEntry("type", "register");
        Thread.sleep(1200);
        assertThat(console.actionToken()).isEmpty();
        session.inspector().reap(0).get(10, TimeUnit.SECONDS);
        assertThat(nextEvent(lines)).containsEntry("type", "expired").containsEntry("field", expiring);

        raw.call("HSET", "dubbo-redis:/dubbo/:instances:" + HOSTILE_APP, "{\"serviceName\":\"x\",\"host\":\"h\",\"port\":1}",
                Long.toString(System.currentTimeMillis() + 60_000));
        raw.call("PUBLISH", "dubbo-redis:/dubbo/:instances:" + HOSTILE_APP, "register");
        assertThat(nextEvent(lines)).containsEntry("type", "register").containsEntry("application", HOSTILE_APP)
                .containsEntry("service", null);
        assertThat(lines).noneMatch(l -> l.contains("forged") && !l.startsWith("data: "));
        Map<String, Object> stats = new RawHttp(console.port()).get("/api/stats").json();
        assertThat(stats).containsEntry("eventStreams", 1).containsEntry("eventsDropped", 0);
        assertThat(((Number) stats.get("notifications")).longValue()).isPositive();
    }

    /** The next {@code registry} event's data, skipping keep-alives and framing lines. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> nextEvent(BlockingQueue<String> lines) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        boolean registry = false;
        while (System.nanoTime() < deadline) {
            String line = lines.poll(100, TimeUnit.MILLISECONDS);
            if (line == null) {
                continue;
            }
            if (line.equals("event: registry")) {
                registry = true;
            } else if (registry && line.startsWith("data: ")) {
                return JsonUtils.toJavaObject(line.substring(6), Map.class);
            }
        }
        throw new AssertionError("no event within 10 s; lines: " + lines);
    }

    @Test
    void eventStreamsBeyondTheLimitAreRefused() throws Exception {
        start(ConsoleOptions.defaults().withEventBounds(1, 16));
        HttpClient client = HttpClient.newHttpClient();
        HttpRequest events = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + console.port() + "/api/events")).build();
        HttpResponse<Stream<String>> first = client.send(events, HttpResponse.BodyHandlers.ofLines());
        assertThat(first.statusCode()).isEqualTo(200);
        HttpResponse<String> second = client.send(events, HttpResponse.BodyHandlers.ofString());
        assertThat(second.statusCode()).isEqualTo(503);
        assertThat(second.body()).contains("too many live event streams");
        first.body().close();
    }

    @Test
    void aReadOnlyConsoleRefusesEveryAction() throws Exception {
        populate();
        RawHttp http = start(ConsoleOptions.defaults());
        RawHttp.Response reap = http.send("POST", "/api/actions/reap", Map.of("Origin", "http://127.0.0.1:" + console.port()));
        assertThat(reap.status()).isEqualTo(403);
        assertThat(reap.json().get("error")).asString().contains("read-only").contains("--allow-writes");
        assertThat(http.send("POST", "/api/actions/failback", Map.of()).status()).isEqualTo(403);
        assertThat(raw.hgetall(PROVIDERS)).hasSize(2);
        assertThat(console.actionToken()).isEmpty();
    }

    @Test
    void actionsNeedAPostWithTheTokenFromThisOrigin() throws Exception {
        populate();
        RawHttp http = start(ConsoleOptions.defaults().withWrites(true));
        String token = console.actionToken().orElseThrow();
        assertThat(token).hasSizeGreaterThanOrEqualTo(40);
        String self = "http://127.0.0.1:" + console.port();

        assertThat(http.send("GET", "/api/actions/reap", Map.of(RequestGuard.TOKEN_HEADER, token)).status()).isEqualTo(405);
        assertThat(http.send("POST", "/api/actions/reap", Map.of("Origin", self)).status()).isEqualTo(403);
        assertThat(http.send("POST", "/api/actions/reap", Map.of(RequestGuard.TOKEN_HEADER, token + "x", "Origin", self)).status())
                .isEqualTo(403);
        assertThat(http.send("POST", "/api/actions/reap", Map.of(RequestGuard.TOKEN_HEADER, token, "Origin", "http://evil.example"))
                .status()).isEqualTo(403);
        assertThat(http.send("POST", "/api/actions/reap", Map.of(RequestGuard.TOKEN_HEADER, token, "Sec-Fetch-Site", "cross-site"))
                .status()).isEqualTo(403);
        assertThat(http.send("POST", "/api/actions/reap?graceMillis=-1", Map.of(RequestGuard.TOKEN_HEADER, token)).status())
                .isEqualTo(400);
        assertThat(raw.hgetall(PROVIDERS)).hasSize(2);

        RawHttp.Response reap = http.send("POST", "/api/actions/reap", Map.of(RequestGuard.TOKEN_HEADER, token, "Origin", self,
                "Sec-Fetch-Site", "same-origin"));
        assertThat(reap.status()).as(reap.body()).isEqualTo(200);
        assertThat(reap.json()).containsEntry("removed", 1).containsEntry("graceMillis", 1000);
        assertThat(raw.hgetall(PROVIDERS)).containsOnlyKeys(LIVE);

        RawHttp.Response failback = http.send("POST", "/api/actions/failback", Map.of(RequestGuard.TOKEN_HEADER, token));
        assertThat(failback.status()).isEqualTo(400);
        assertThat(failback.json().get("error")).asString().contains("cluster=failover");
    }

    @Test
    void requestsNamingAnotherHostAreRefusedSoARebindingDnsNameReachesNothing() throws Exception {
        populate();
        RawHttp http = start(ConsoleOptions.defaults().withAllowedHosts(List.of("console.example")));
        int port = console.port();
        assertThat(http.send("GET", "/api/services", Map.of("Host", "evil.example:" + port)).status()).isEqualTo(403);
        assertThat(http.send("GET", "/", Map.of("Host", "evil.example:" + port)).status()).isEqualTo(403);
        assertThat(http.send("GET", "/api/services", Map.of("Host", "127.0.0.1:" + (port + 1))).status()).isEqualTo(403);
        assertThat(http.send("GET", "/api/services", Map.of("Host", "localhost:" + port)).status()).isEqualTo(200);
        assertThat(http.send("GET", "/api/services", Map.of("Host", "[::1]:" + port)).status()).isEqualTo(200);
        assertThat(http.send("GET", "/api/services", Map.of("Host", "Console.Example:" + port)).status()).isEqualTo(200);
    }

    @Test
    void closingStopsEveryThreadOfTheConsoleAndFreesItsPort() throws Exception {
        populate();
        start(ConsoleOptions.defaults());
        int port = console.port();
        HttpClient client = HttpClient.newHttpClient();
        HttpResponse<Stream<String>> events = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/events"))
                .build(), HttpResponse.BodyHandlers.ofLines());
        assertThat(events.statusCode()).isEqualTo(200);
        assertThat(new RawHttp(port).get("/api/services").status()).isEqualTo(200);
        assertThat(threadNames()).anyMatch(n -> n.startsWith("dubbo-redis-console-http-"));

        console.close();
        console = null;
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(threadNames())
                .noneMatch(n -> n.startsWith("dubbo-redis-console-http-") || n.startsWith("HTTP-Dispatcher")));
        try (ServerSocket again = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
            assertThat(again.getLocalPort()).isEqualTo(port);
        }
        events.body().close();
    }

    private static List<String> threadNames() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName).toList();
    }
}
