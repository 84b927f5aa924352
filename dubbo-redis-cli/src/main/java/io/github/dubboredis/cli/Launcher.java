package io.github.dubboredis.cli;

/**
 * The entry point of {@code java -jar dubbo-redis-cli-<version>-all.jar}: sets what {@code dubbo-redis-cli.sh} sets on
 * the java command line, then runs {@link RegistryCli}.
 */
public final class Launcher {

    private Launcher() {
    }

    /**
     * Runs the CLI and exits with its exit code.
     *
     * @param args the command line
     */
    public static void main(String[] args) {
        // Dubbo's logger detection does not recognise SLF4J 2 and says so on stderr; the CLI logs through SLF4J.
        if (System.getProperty("dubbo.application.logger") == null) {
            System.setProperty("dubbo.application.logger", "slf4j");
        }
        RegistryCli.main(args);
    }
}
