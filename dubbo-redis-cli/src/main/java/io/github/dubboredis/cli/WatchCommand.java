package io.github.dubboredis.cli;

import java.io.PrintWriter;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.dubboredis.inspect.EventStream;
import io.github.dubboredis.inspect.OperatorSession;
import io.github.dubboredis.inspect.RegistryEvent;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code watch [SERVICE]}: a live stream of {@code register}, {@code unregister} and {@code expired} events, kept
 * current the way registries keep their views (change records applied without reads, bursts folded into few
 * reads), so a flood of announcements costs little; it stops after {@code --duration} whatever arrives.
 */
@Command(name = "watch", description = "Stream register / unregister / expired events as they happen, for one service "
        + "or for everything. Stops after --duration seconds or --max-events events, or on Ctrl-C.")
final class WatchCommand extends SessionCommand {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");

    @Parameters(arity = "0..1", paramLabel = "SERVICE", description = "Only this service interface (taken literally).")
    String service;

    @Option(names = "--duration", paramLabel = "SECONDS", defaultValue = "0", description = "Stop after this long (0: never).")
    long duration;

    @Option(names = "--max-events", paramLabel = "N", defaultValue = "0", description = "Stop after this many events (0: no limit).")
    int maxEvents;

    @Override
    int run(OperatorSession session, PrintWriter out) throws Exception {
        CountDownLatch done = new CountDownLatch(1);
        AtomicInteger events = new AtomicInteger();
        try (EventStream stream = session.watch(service, event -> {
            if (done.getCount() == 0) {
                return;
            }
            print(out, event);
            if (maxEvents > 0 && events.incrementAndGet() >= maxEvents) {
                done.countDown();
            }
        })) {
            if (!connection.json) {
                out.printf("watching %s (Ctrl-C to stop)%n", service != null ? Output.text(service)
                        : "every key under " + Output.text(session.inspector().root()) + " and every application");
                out.flush();
            }
            if (duration > 0) {
                done.await(duration, TimeUnit.SECONDS);
            } else {
                done.await();
            }
            done.countDown(); // nothing is printed after this point, whatever still arrives
            return RegistryCli.OK;
        }
    }

    private void print(PrintWriter w, RegistryEvent event) {
        if (connection.json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("time", event.timeMillis());
            m.put("event", event.type().label());
            m.put("key", event.key());
            m.put("url", event.field());
            Output.json(w, m);
        } else {
            w.printf("%s %-10s %s %s%n", LocalTime.now().format(TIME), event.type().label(), Output.text(event.key()),
                    Output.text(event.field()));
            w.flush();
        }
    }
}
