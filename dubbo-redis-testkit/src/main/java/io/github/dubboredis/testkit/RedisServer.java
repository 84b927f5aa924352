package io.github.dubboredis.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real {@code redis-server} process on a free loopback port, in a directory of its own, for tests,
 * the demo and benchmarks. It can be stopped, killed (SIGKILL), and started again on the same port,
 * with its data (saved first) or empty.
 */
public final class RedisServer implements AutoCloseable {

    private final RedisBinary binary;
    private final int port;
    private final Path dir;
    private final List<String> config;
    private final String password;
    private final TlsMaterial tls;
    private final boolean sentinel;
    private final boolean ipv6;
    private Process process;

    private RedisServer(Builder b) {
        this.binary = b.binary;
        this.port = b.port > 0 ? b.port : FreePorts.next();
        this.password = b.password;
        this.tls = b.tls;
        this.sentinel = b.sentinel;
        this.ipv6 = b.ipv6;
        try {
            this.dir = Files.createTempDirectory("redis-" + port + "-");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        List<String> c = new ArrayList<>();
        if (tls == null) {
            c.add("port " + port);
        } else {
            c.add("port 0");
            c.add("tls-port " + port);
            c.add("tls-cert-file " + tls.serverCertPem());
            c.add("tls-key-file " + tls.serverKeyPem());
            c.add("tls-ca-cert-file " + tls.caPem());
            c.add("tls-auth-clients " + (b.requireClientCertificate ? "yes" : "no"));
        }
        c.add(ipv6 ? "bind ::1" : "bind 127.0.0.1");
        c.add("dir " + dir);
        c.add("dbfilename dump.rdb");
        c.add("logfile " + dir.resolve("redis.log"));
        c.add("daemonize no");
        if (!sentinel) {
            c.add("save \"\"");
            c.add("appendonly no");
        }
        if (binary.majorVersion() >= 7 && !sentinel) {
            c.add("enable-debug-command yes");
        }
        if (password != null) {
            c.add("requirepass " + password);
        }
        c.addAll(b.extraConfig);
        this.config = List.copyOf(c);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A plain server on a free port with the preferred binary, started. */
    public static RedisServer startDefault() {
        return builder().build().start();
    }

    public RedisServer start() {
        try {
            Path conf = dir.resolve("redis.conf");
            Files.write(conf, config, StandardCharsets.UTF_8);
            List<String> cmd = new ArrayList<>(List.of(binary.path().toString(), conf.toString()));
            if (sentinel) {
                cmd.add("--sentinel");
            }
            process = new ProcessBuilder(cmd)
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("stdout.log").toFile())
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + binary, e);
        }
        awaitReady(Duration.ofSeconds(15));
        return this;
    }

    private void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        RuntimeException last = null;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("redis-server on port " + port + " exited: " + logTail());
            }
            try (RespClient c = new RespClient(host(), port, 1000, tls == null ? null : tls.clientContext())) {
                if (password != null) {
                    c.call("AUTH", password);
                }
                if ("PONG".equals(c.string("PING"))) {
                    return;
                }
            } catch (RuntimeException e) {
                last = e;
            }
            sleep(20);
        }
        throw new IllegalStateException("redis-server on port " + port + " not ready: " + logTail(), last);
    }

    /** Stops the server at once, like a crash or an OOM kill. Its data survives only if saved before. */
    public void kill() {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Saves the data to disk, kills the server, and starts it again: a restart that keeps the data. */
    public RedisServer restartWithData() {
        try (RespClient c = client()) {
            c.call("SAVE");
        }
        kill();
        return start();
    }

    /** Kills the server, deletes its data, and starts it again empty. */
    public RedisServer restartEmpty() {
        kill();
        try {
            Files.deleteIfExists(dir.resolve("dump.rdb"));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return start();
    }

    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    public int port() {
        return port;
    }

    public String host() {
        return ipv6 ? "::1" : "127.0.0.1";
    }

    /** {@code 127.0.0.1:port}, or {@code [::1]:port} for a server on IPv6. */
    public String address() {
        return ipv6 ? "[::1]:" + port : host() + ":" + port;
    }

    public RedisBinary binary() {
        return binary;
    }

    public Path dir() {
        return dir;
    }

    /** A new independent client, authenticated if the server has a password. */
    public RespClient client() {
        RespClient c = new RespClient(host(), port, 5000, tls == null ? null : tls.clientContext());
        if (password != null) {
            c.call("AUTH", password);
        }
        return c;
    }

    public String logTail() {
        try {
            List<String> lines = new ArrayList<>();
            for (String f : new String[] {"stdout.log", "redis.log"}) {
                Path p = dir.resolve(f);
                if (Files.exists(p)) {
                    lines.addAll(Files.readAllLines(p));
                }
            }
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() {
        kill();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp dir left behind is harmless
        }
    }

    @Override
    public String toString() {
        return binary.version() + "@" + address();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static final class Builder {
        private RedisBinary binary = RedisBinary.preferred();
        private int port;
        private String password;
        private TlsMaterial tls;
        private boolean requireClientCertificate;
        private boolean sentinel;
        private boolean ipv6;
        private final List<String> extraConfig = new ArrayList<>();

        public Builder binary(RedisBinary binary) {
            this.binary = binary;
            return this;
        }

        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /** {@code requirepass}: the legacy password-only authentication. */
        public Builder password(String password) {
            this.password = password;
            return this;
        }

        /** TLS only (no plain port), with this material's server certificate. */
        public Builder tls(TlsMaterial tls, boolean requireClientCertificate) {
            this.tls = tls;
            this.requireClientCertificate = requireClientCertificate;
            return this;
        }

        /** Runs as a Sentinel ({@code --sentinel}); give it {@code sentinel monitor ...} lines with {@link #config}. */
        public Builder sentinel() {
            this.sentinel = true;
            return this;
        }

        /** Listens on the IPv6 loopback {@code ::1} only. */
        public Builder ipv6() {
            this.ipv6 = true;
            return this;
        }

        /** Any redis.conf line, e.g. {@code user app on >secret ~* +@all} or {@code maxmemory-policy allkeys-lru}. */
        public Builder config(String line) {
            extraConfig.add(line);
            return this;
        }

        public RedisServer build() {
            return new RedisServer(this);
        }
    }
}
