package io.github.dubboredis.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.github.dubboredis.console.ConsoleOptions;
import io.github.dubboredis.console.ConsoleServer;
import io.github.dubboredis.inspect.OperatorSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code console}: serves the web console on this session until Ctrl-C (or {@code --duration}). It listens on
 * 127.0.0.1 unless told otherwise, is read-only unless {@code --allow-writes}, and then prints the token the
 * actions need.
 */
@Command(name = "console", description = "Serve a web console: services with their providers and consumers, each entry with "
        + "a live expiry countdown, applications and their instances, the interface-to-application mapping, live events, "
        + "charts and the doctor's findings. Read-only unless --allow-writes. Listens on 127.0.0.1 unless --bind says "
        + "otherwise. Stops on Ctrl-C or after --duration.")
final class ConsoleCommand extends SessionCommand {

    @Option(names = "--port", defaultValue = "" + ConsoleOptions.DEFAULT_PORT, paramLabel = "PORT",
            description = "Port to listen on; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--bind", defaultValue = ConsoleOptions.DEFAULT_BIND, paramLabel = "ADDRESS",
            description = "Address to listen on (default: ${DEFAULT-VALUE}, this machine only). There is no login: "
                    + "whoever reaches the console reads the registry.")
    String bind;

    @Option(names = "--allow-writes", description = "Offer the actions (reap, failback). Each needs the token printed at "
            + "start-up, sent by the page as a header.")
    boolean allowWrites;

    @Option(names = "--allow-host", paramLabel = "NAME", description = "A host name the page may be opened by, besides "
            + "localhost and the bind address (repeatable; e.g. a name behind a proxy). Requests naming any other host are refused.")
    List<String> allowedHosts = new ArrayList<>();

    @Option(names = "--duration", paramLabel = "SECONDS", defaultValue = "0", description = "Stop after this long (0: on Ctrl-C).")
    long duration;

    @Override
    int run(OperatorSession session, PrintWriter out) throws Exception {
        ConsoleOptions options = ConsoleOptions.defaults().withBind(bind, port).withWrites(allowWrites).withAllowedHosts(allowedHosts);
        ConsoleServer server;
        try {
            server = ConsoleServer.start(session, options);
        } catch (IOException e) {
            spec.commandLine().getErr().println("dubbo-redis: cannot listen on " + bind + ":" + port + ": " + e.getMessage()
                    + " (options --bind, --port)");
            return RegistryCli.USAGE;
        }
        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stop.countDown();
            try {
                stopped.await(5, TimeUnit.SECONDS); // let the server close its connections before the JVM ends
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "dubbo-redis-console-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try (server) {
            out.printf("dubbo-redis console for %s at %s (%s; Ctrl-C to stop)%n", session.describe(), server.uri(),
                    allowWrites ? "actions allowed" : "read-only");
            server.actionToken().ifPresent(t -> out.printf("actions need this token (paste it into the page): %s%n", t));
            if (!InetAddress.getByName(bind).isLoopbackAddress()) {
                out.printf("warning: listening on %s: anyone who can reach it reads the registry%s; there is no login%n", bind,
                        allowWrites ? " and, with the token, changes it" : "");
            }
            out.flush();
            if (duration > 0) {
                stop.await(duration, TimeUnit.SECONDS);
            } else {
                stop.await();
            }
        } finally {
            stopped.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: it ends once this returns
            }
        }
        return RegistryCli.OK;
    }
}
