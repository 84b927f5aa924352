package io.github.dubboredis.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A Java program in a process of its own (a provider that can be killed with SIGKILL, an application
 * on an older Dubbo), started with the same java as this JVM, so inside the same loopback-only network
 * namespace. Its output is kept in memory and in a log file, and can be waited on line by line.
 */
public final class ChildJvm implements AutoCloseable {

    private final String name;
    private final Process process;
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final Path log;

    private ChildJvm(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
        Thread reader = new Thread(this::readOutput, "child-" + name);
        reader.setDaemon(true);
        reader.start();
    }

    /** System properties a child JVM takes from the test JVM that starts it. */
    private static final List<String> INHERITED_PROPERTIES = List.of("io.netty.transport.noNative",
            "dubbo.json-framework.prefer");

    /**
     * @param classpath the child's classpath (e.g. {@code System.getProperty("java.class.path")})
     * @param jvmArgs   options before the main class
     */
    public static ChildJvm start(String name, String classpath, List<String> jvmArgs, String mainClass, String... args) {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.add("-Xmx256m");
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-XX:TieredStopAtLevel=1");
        // A run without Netty's native transport (CI's second run) holds for the child JVMs too.
        for (String inherited : INHERITED_PROPERTIES) {
            String value = System.getProperty(inherited);
            if (value != null) {
                cmd.add("-D" + inherited + "=" + value);
            }
        }
        cmd.addAll(jvmArgs);
        cmd.add("-cp");
        cmd.add(classpath);
        cmd.add(mainClass);
        cmd.addAll(List.of(args));
        try {
            Path log = Files.createTempFile("child-" + name + "-", ".log");
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            return new ChildJvm(name, p, log);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + name, e);
        }
    }

    private void readOutput() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                lines.add(line);
                Files.writeString(log, line + "\n", StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
            }
        } catch (IOException ignored) {
            // the process ended
        }
    }

    /** Waits for an output line matching the predicate; fails with the output tail if none comes. */
    public String awaitLine(Predicate<String> matching, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (String l : lines) {
                if (matching.test(l)) {
                    return l;
                }
            }
            if (!process.isAlive()) {
                break;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new IllegalStateException(name + " printed no matching line within " + timeout.toMillis() + " ms"
                + (process.isAlive() ? "" : " (exited with " + process.exitValue() + ")") + "; last output:\n" + tail(40));
    }

    public String awaitLineStartingWith(String prefix, Duration timeout) {
        return awaitLine(l -> l.startsWith(prefix), timeout);
    }

    public List<String> lines() {
        return List.copyOf(lines);
    }

    public String tail(int n) {
        List<String> all = lines();
        return String.join("\n", all.subList(Math.max(0, all.size() - n), all.size()));
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** SIGKILL: no shutdown hook, no unregister; like a crash or an OOM kill. */
    public void kill() {
        process.destroyForcibly();
        waitFor(Duration.ofSeconds(10));
    }

    /** Closes the child's standard input (our programs stop gracefully on that) and waits. */
    public boolean stopGracefully(Duration timeout) {
        try {
            OutputStream in = process.getOutputStream();
            in.close();
        } catch (IOException ignored) {
            // already closed
        }
        return waitFor(timeout);
    }

    private boolean waitFor(Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            waitFor(Duration.ofSeconds(10));
        }
    }

    @Override
    public String toString() {
        return name + "(pid " + process.pid() + ")";
    }
}
