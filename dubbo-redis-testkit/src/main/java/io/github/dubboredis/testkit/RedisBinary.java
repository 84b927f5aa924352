package io.github.dubboredis.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Finds a {@code redis-server} to run: the one named by the {@code REDIS_SERVER} environment variable
 * (a path, or {@code embedded}), else the one on the PATH, else the Redis 6.2 binary inside the
 * {@code embedded-redis} jar (Linux and macOS), so that the tests run on a machine with no Redis installed.
 */
public final class RedisBinary {

    private static final String EMBEDDED_LINUX_X64 = "redis-server-6.2.6-v5-linux-amd64";
    private static final String EMBEDDED_MAC_X64 = "redis-server-6.2.6-v5-darwin-amd64";
    private static final String EMBEDDED_MAC_ARM = "redis-server-6.2.6-v5-darwin-arm64";
    private static final String EMBEDDED_LINUX_ARM = "redis-server-6.2.7-linux-arm64";

    private static volatile RedisBinary preferred;
    private static volatile RedisBinary embedded;

    private final Path path;
    private final String version;

    private RedisBinary(Path path) {
        this.path = path;
        this.version = probe(path, "--version");
    }

    /** The binary tests use by default: $REDIS_SERVER, the PATH's, or the embedded one. */
    public static RedisBinary preferred() {
        if (preferred == null) {
            synchronized (RedisBinary.class) {
                if (preferred == null) {
                    String configured = System.getenv("REDIS_SERVER");
                    if ("embedded".equals(configured)) {
                        preferred = embedded();
                    } else {
                        Path path = configured != null && !configured.isBlank() ? Path.of(configured) : findOnPath("redis-server");
                        preferred = path != null ? new RedisBinary(path) : embedded();
                    }
                }
            }
        }
        return preferred;
    }

    /** The Redis 6.2 binary shipped in the embedded-redis jar, extracted once. */
    public static RedisBinary embedded() {
        if (embedded == null) {
            synchronized (RedisBinary.class) {
                if (embedded == null) {
                    embedded = new RedisBinary(extract(embeddedResource()));
                }
            }
        }
        return embedded;
    }

    /** Every distinct Redis version available here (the PATH one and the embedded one). */
    public static List<RedisBinary> all() {
        List<RedisBinary> all = new ArrayList<>();
        all.add(preferred());
        RedisBinary e = embedded();
        if (!e.path.equals(preferred().path) && !e.version.equals(preferred().version)) {
            all.add(e);
        }
        return all;
    }

    public Path path() {
        return path;
    }

    /** For example {@code 7.0.15}. */
    public String version() {
        return version;
    }

    public int majorVersion() {
        return Integer.parseInt(version.split("\\.")[0]);
    }

    @Override
    public String toString() {
        return "redis-server " + version + " (" + path + ")";
    }

    private static String embeddedResource() {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
        boolean arm = arch.contains("aarch64") || arch.contains("arm");
        if (os.contains("linux")) {
            return arm ? EMBEDDED_LINUX_ARM : EMBEDDED_LINUX_X64;
        }
        if (os.contains("mac")) {
            return arm ? EMBEDDED_MAC_ARM : EMBEDDED_MAC_X64;
        }
        throw new IllegalStateException("no redis-server on the PATH and no embedded one for " + os + "/" + arch
                + "; install Redis or pass -Dredis.server=/path/to/redis-server");
    }

    private static Path extract(String resource) {
        Path dir = Path.of(System.getProperty("java.io.tmpdir"), "dubbo-redis-testkit-" + System.getProperty("user.name"));
        Path target = dir.resolve(resource);
        try (InputStream in = RedisBinary.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("embedded-redis jar with " + resource + " is not on the classpath");
            }
            Files.createDirectories(dir);
            if (!Files.isExecutable(target)) {
                Path tmp = Files.createTempFile(dir, resource, ".part");
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                tmp.toFile().setExecutable(true);
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
            return target;
        } catch (IOException e) {
            throw new IllegalStateException("cannot extract " + resource + " to " + dir, e);
        }
    }

    static Path findOnPath(String name) {
        String pathEnv = System.getenv("PATH");
        if (pathEnv == null) {
            return null;
        }
        for (String dir : pathEnv.split(java.io.File.pathSeparator)) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    private static String probe(Path binary, String flag) {
        String out = run(binary, flag);
        int v = out.indexOf("v=");
        if (v < 0) {
            throw new IllegalStateException(binary + " " + flag + " printed no version: " + out);
        }
        int end = out.indexOf(' ', v);
        return out.substring(v + 2, end < 0 ? out.length() : end).trim();
    }

    private static String run(Path binary, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(binary.toString());
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
            return new String(out);
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + binary, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
