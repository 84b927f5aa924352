package io.github.dubboredis.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.github.dubboredis.demo.ProviderMain;
import io.github.dubboredis.testkit.ChildJvm;

/** Applications in JVMs of their own: ours (same classpath as the tests) and Dubbo 2.7 ones. */
public final class ChildApps {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private ChildApps() {
    }

    /** A Dubbo 3.3 provider on our registry, in a JVM that can be killed. */
    public static ChildJvm provider(String name, String registry, int port, String... settings) {
        List<String> args = new ArrayList<>(List.of(name, registry, Integer.toString(port)));
        args.addAll(List.of(settings));
        ChildJvm jvm = ChildJvm.start(name, System.getProperty("java.class.path"),
                List.of("-Ddubbo.application.logger=slf4j"), ProviderMain.class.getName(), args.toArray(String[]::new));
        jvm.awaitLineStartingWith("READY", START_TIMEOUT);
        return jvm;
    }

    /** A provider on Dubbo 2.7.23 with its original Redis registry. */
    static ChildJvm legacyProvider(String name, String registry, int port) {
        ChildJvm jvm = ChildJvm.start(name, legacyClasspath(), legacyJvmArgs(),
                "io.github.dubboredis.legacy.LegacyProvider", name, registry, Integer.toString(port));
        jvm.awaitLineStartingWith("READY", START_TIMEOUT);
        return jvm;
    }

    /** A consumer on Dubbo 2.7.23 making {@code calls} calls, {@code intervalMillis} apart. */
    static ChildJvm legacyConsumer(String name, String registry, int calls, long intervalMillis) {
        ChildJvm jvm = ChildJvm.start(name, legacyClasspath(), legacyJvmArgs(),
                "io.github.dubboredis.legacy.LegacyConsumer", name, registry, Integer.toString(calls),
                Long.toString(intervalMillis));
        jvm.awaitLineStartingWith("READY", START_TIMEOUT);
        return jvm;
    }

    private static List<String> legacyJvmArgs() {
        // Dubbo 2.7's javassist and Hessian reach into java.lang and java.math.
        return List.of("--add-opens", "java.base/java.lang=ALL-UNNAMED", "--add-opens", "java.base/java.math=ALL-UNNAMED");
    }

    private static String legacyClasspath() {
        Path dir = Path.of(System.getProperty("legacy.app.dir", "../legacy-dubbo27-app/target"));
        try {
            return dir.resolve("classes") + java.io.File.pathSeparator + Files.readString(dir.resolve("classpath.txt")).trim();
        } catch (IOException e) {
            throw new IllegalStateException("the legacy app is not built (" + dir + "); run the build from the top", e);
        }
    }
}
