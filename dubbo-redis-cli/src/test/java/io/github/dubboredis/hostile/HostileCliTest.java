package io.github.dubboredis.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.github.dubboredis.cli.RegistryCli;
import io.github.dubboredis.testkit.RedisPerClass;
import io.github.dubboredis.testkit.RedisBinary;
import io.github.dubboredis.testkit.RedisServer;
import io.github.dubboredis.testkit.RespClient;

/**
 * Finding 5 of issue 13 (and the CLI's part of 6): the CLI printed raw ESC/BEL/CR/LF from key names and URLs (a
 * changed window title, a cleared screen, forged rows); {@code show 'com.x.*'} took the name as a SCAN pattern;
 * {@code watch} read the key once per message (85,000 HGETALLs and 500 MB under a flood) and ran past
 * {@code --duration}; on a 2,000,000-entry key {@code ls} and {@code doctor} timed out, or took 37 s and 3.1 GB and
 * printed 663 MB, never flagging the key.
 */
class HostileCliTest {

    /** Any control character but the line feed that ends each line (C0, DEL, C1). */
    private static final Pattern CONTROL = Pattern.compile("[\\x00-\\x09\\x0b-\\x1f\\x7f\\x80-\\x9f]");

    @RegisterExtension
    static final RedisPerClass redis = new RedisPerClass();

    record Run(int exit, String out, String err, long millis) {
    }

    private static Run cli(String... args) {
        return cli(new StringWriter(), args);
    }

    /** With the standard output going to {@code out} as it is written (for a running watch). */
    private static Run cli(StringWriter out, String... args) {
        StringWriter err = new StringWriter();
        long t0 = System.nanoTime();
        int exit = RegistryCli.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(exit, out.toString(), err.toString(), (System.nanoTime() - t0) / 1_000_000);
    }

    private static String address(String group) {
        return "redis://" + redis.address() + "?group=" + group;
    }

    private static RespClient raw() {
        RespClient c = redis.client();
        c.call("CLIENT", "SETNAME", "hostile-test");
        return c;
    }

    private static long redisNow(RespClient raw) {
        List<?> t = (List<?>) raw.call("TIME");
        return Long.parseLong((String) t.get(0)) * 1000 + Long.parseLong((String) t.get(1)) / 1000;
    }

    private static long calls(RespClient raw, String command) {
        String stats = raw.info("commandstats", "cmdstat_" + command);
        return stats == null ? 0 : Long.parseLong(stats.replaceFirst("^calls=(\\d+),.*$", "$1"));
    }

    private static void assertPrintable(Run run, String what) {
        assertThat(CONTROL.matcher(run.out()).find()).as("%s prints a control character: %s", what, run.out()).isFalse();
        assertThat(CONTROL.matcher(run.err()).find()).as("%s (stderr) prints a control character: %s", what, run.err()).isFalse();
    }

    @Test
    void everyHumanOutputEscapesControlCharactersFromRedis() throws Exception {
        String evilService = "com.evil\u001b]0;pwned\u0007\u001b[2J\r\nFORGED";
        String key = "/esc/" + evilService + "/providers";
        String field = "dubbo://10.0.0.1:20880/" + evilService + "?interface=x&x=\u0000\u001b[31m\r\nFORGED ROW\u009b\u2028";
        try (RespClient raw = raw()) {
            long future = redisNow(raw) + 600_000;
            raw.call("HSET", key, field, Long.toString(future), field + "2", "soon\u001b[2J");
            raw.call("SET", "/esc/\u001b[2Jnot-a-hash\u0007", "x");
            raw.call("HSET", "dubbo-redis:/esc/:instances:app\u001b[2J", "{\"host\":\"\u001b[2J\"}", Long.toString(future));
            String address = address("esc");

            List<Run> runs = new ArrayList<>();
            runs.add(cli("ls", "-a", address));
            runs.add(cli("show", evilService, "-a", address));
            runs.add(cli("show", "app\u001b[2J", "--application", "-a", address));
            runs.add(cli("doctor", "-a", address));
            runs.add(cli("show", "no\u001b[2Jsuch", "-a", address));
            StringWriter live = new StringWriter();
            CompletableFuture<Run> watching = CompletableFuture.supplyAsync(() -> cli(live, "watch", "-a", address, "--duration", "3"));
            // The header comes once the watch knows the current state: a change from now on is an event.
            await().atMost(Duration.ofSeconds(10)).until(() -> live.toString().startsWith("watching"));
            raw.call("HSET", key, field + "3", Long.toString(future));
            raw.call("PUBLISH", key, "register");
            runs.add(watching.get(20, TimeUnit.SECONDS));
            for (Run run : runs) {
                assertPrintable(run, "a command");
            }
            assertThat(runs.get(0).out()).contains("com.evil\\x1b]0;pwned\\x07\\x1b[2J\\r\\nFORGED");
            assertThat(runs.get(1).out()).contains("\\x1b[31m\\r\\nFORGED ROW\\x9b\\u2028");
            assertThat(runs.get(3).out()).contains("\\x1b[2Jnot-a-hash\\x07");
            assertThat(runs.get(4).out()).contains("nothing registered for no\\x1b[2Jsuch");
            assertThat(runs.get(5).out()).contains("register").contains("FORGED ROW");
        }
    }

    @Test
    void namesAreTakenLiterallyNeverAsScanPatterns() {
        try (RespClient raw = raw()) {
            String future = Long.toString(redisNow(raw) + 600_000);
            for (String service : List.of("com.x.a", "com.x.*", "com.x.[ab]", "com.x.?", "com.x.\\a")) {
                raw.call("HSET", "/lit/" + service + "/providers", "dubbo://10.0.0.1:20880/" + service + "?interface=" + service, future);
            }
            for (String name : List.of("com.x.*", "com.x.[ab]", "com.x.?", "com.x.\\a")) {
                Run show = cli("show", name, "-a", address("lit"));
                assertThat(show.exit()).isZero();
                assertThat(show.out()).as("show %s", name).contains("/lit/" + name.replace("\\", "\\\\") + "/providers")
                        .doesNotContain("/lit/com.x.a/providers");
            }
        }
    }

    @Test
    void watchFoldsAFloodIntoFewReadsAndStopsOnTime() throws Exception {
        String key = "/flood/com.foo.Watched/providers";
        try (RespClient raw = raw()) {
            long future = redisNow(raw) + 600_000;
            raw.call("EVAL", "for i = 1, 5000 do redis.call('HSET', KEYS[1], 'dubbo://10.0.' .. i .. ':1/com.foo.Watched"
                    + "?interface=com.foo.Watched', ARGV[1]) end", "1", key, Long.toString(future));
            long hscans = calls(raw, "hscan");
            CompletableFuture<Run> watching = CompletableFuture.supplyAsync(() ->
                    cli("watch", "com.foo.Watched", "-a", address("flood"), "--duration", "8"));
            // The first read is several HSCAN pages: the new entry must come after its last page, or it is part of
            // what watch starts from and is never printed as a change. So: pages served, then none for a second
            // (a loaded machine may take seconds for them).
            await().atMost(Duration.ofSeconds(20)).until(() -> calls(raw, "hscan") > hscans);
            long[] seen = {calls(raw, "hscan")};
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofSeconds(1)).until(() -> {
                long now = calls(raw, "hscan");
                boolean quiet = now == seen[0];
                seen[0] = now;
                return quiet;
            });
            String added = "dubbo://10.9.9.9:1/com.foo.Watched?interface=com.foo.Watched";
            raw.call("HSET", key, added, Long.toString(future));
            List<String[]> flood = new ArrayList<>();
            for (int i = 0; i < 20_000; i++) {
                flood.add(new String[] {"PUBLISH", key, "register"});
            }
            raw.pipeline(flood);
            long floodDone = System.nanoTime();
            Run run = watching.get(30, TimeUnit.SECONDS);
            long pastFlood = (System.nanoTime() - floodDone) / 1_000_000;
            long reads = calls(raw, "hscan") - hscans;
            System.out.printf("watch under 20,000 announcements of a 5,000-entry key: %d HSCAN pages (5 a read), "
                    + "ran %d ms for --duration 8, ended %d ms after the flood%n", reads, run.millis(), pastFlood);
            assertThat(run.exit()).isZero();
            assertThat(run.out()).contains("register   " + key + " " + added);
            assertThat(reads).as("HSCAN pages for 20,000 announcements").isLessThan(2_000);
            assertThat(run.millis()).as("--duration 8").isLessThan(8_000 + 10_000);
        }
    }

    @Test
    void keysTooBigToReadAreFlaggedQuicklyNamingKeyAndLimit() {
        String key = "/big/com.foo.Big/providers";
        try (RedisServer own = RedisServer.startDefault(); RespClient raw = own.client()) {
            String fill = "for i = tonumber(ARGV[1]), tonumber(ARGV[2]) do redis.call('HSET', KEYS[1], "
                    + "'dubbo://10.' .. i .. ':1/com.foo.Big?interface=com.foo.Big', ARGV[3]) end";
            String future = Long.toString(redisNow(raw) + 600_000);
            for (int from = 0; from < 1_000_000; from += 20_000) {
                raw.call("EVAL", fill, "1", key, Integer.toString(from), Integer.toString(from + 19_999), future);
            }
            raw.call("HSET", "/big/com.foo.Small/providers", "dubbo://10.0.0.1:1/com.foo.Small?interface=com.foo.Small", future);
            String address = "redis://" + own.address() + "?group=big";

            Run ls = cli("ls", "-a", address);
            Run doctor = cli("doctor", "-a", address);
            Run show = cli("show", "com.foo.Big", "-a", address);
            System.out.printf("on a 1,000,000-entry key: ls %d ms (%d chars), doctor %d ms, show %d ms%n", ls.millis(),
                    ls.out().length(), doctor.millis(), show.millis());
            assertThat(ls.exit()).isZero();
            assertThat(ls.out()).contains("com.foo.Small").contains("more than key.max-entries (100000)")
                    .contains(key + " (1000000 entries)");
            assertThat(doctor.exit()).isEqualTo(1);
            assertThat(doctor.out()).contains("key '" + key + "' holds 1000000 entries, more than key.max-entries (100000)");
            assertThat(show.out()).contains(key).contains("holds 1000000 entries");
            for (Run run : List.of(ls, doctor, show)) {
                assertThat(run.out().length()).as("output").isLessThan(10_000);
                assertThat(run.millis()).as("time").isLessThan(30_000);
            }
            // With the limit raised, the key is counted page by page: nothing of it is kept but the counts.
            Run counted = cli("ls", "-a", address + "&key.max-entries=2000000");
            System.out.printf("ls counting the 1,000,000 entries (key.max-entries raised): %d ms%n", counted.millis());
            assertThat(counted.exit()).isZero();
            assertThat(counted.out()).containsPattern("com\\.foo\\.Big +1000000 +0 +0");
        }
    }

    /**
     * The operator's side of the strict ACL. Redis 7: 'functions load' once, then the doctor, run as the registry's
     * user (no +eval), is content. Redis 6.2 has no functions: the doctor, run as a user with the 6.2 rule, says that
     * steps run as scripts and what that lets the user do.
     */
    @Test
    void functionsLoadedOnceByAnOperatorLetAUserWithoutEvalPassTheDoctor() {
        for (RedisBinary binary : RedisBinary.all()) {
            boolean functions = binary.majorVersion() >= 7;
            String acl = "resetkeys ~/dubbo/* ~dubbo-redis:* ~dubbo:mapping resetchannels &/dubbo/* &dubbo-redis:* "
                    + "&dubbo:mapping:queues -@all +@connection +hset +hdel +hget +hscan +hlen +publish +subscribe "
                    + "+unsubscribe +psubscribe +punsubscribe +ping +time +scan +sscan +sadd +srem +zadd +zrem +zscore "
                    + "+zrangebyscore +zrevrangebyscore +pexpire +pexpireat +pttl +exists +type +set +get +incr +del +info "
                    + (functions ? "+fcall +unlink" : "+evalsha +eval");
            try (RedisServer own = RedisServer.builder().binary(binary).config("appendonly yes")
                    .config("user registry on >Cli-Strict-1 " + acl).build().start()) {
                String asRegistry = "redis://registry:Cli-Strict-1@" + own.address();
                if (!functions) {
                    Run doctor = cli("doctor", "-a", asRegistry);
                    assertThat(doctor.out()).as(binary.version()).contains("run as scripts (EVALSHA)")
                            .contains("every operation the registry uses is allowed").doesNotContain("Cli-Strict-1");
                    continue;
                }
                Run before = cli("doctor", "-a", asRegistry);
                assertThat(before.exit()).isEqualTo(1);
                assertThat(before.out()).contains("functions load");
                Run load = cli("functions", "load", "-a", "redis://" + own.address());
                assertThat(load.exit()).as(load.err()).isZero();
                assertThat(load.out()).containsPattern("loaded function library dubboredis_[0-9a-f]{12}");
                Run after = cli("doctor", "-a", asRegistry);
                assertThat(after.exit()).as(after.out()).isZero();
                assertThat(after.out()).contains("the registry's function library is loaded").doesNotContain("Cli-Strict-1");
            }
        }
    }
}
