package io.github.dubboredis.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.github.dubboredis.inspect.OperatorSession;
import io.github.dubboredis.inspect.RegistryInspector.EntryReport;
import io.github.dubboredis.inspect.RegistryInspector.KeyReport;
import io.github.dubboredis.inspect.RegistryInspector;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code show SERVICE}: each entry with its address, parameters and time to expiry; dead ones marked. */
@Command(name = "show", description = "Show a service's entries (or, with --application, an application's instances): "
        + "address, parameters, time left to expiry; dead entries marked. The name is taken literally.")
final class ShowCommand extends SessionCommand {

    @Parameters(paramLabel = "NAME", description = "The service interface (or application, with --application).")
    String name;

    @Option(names = "--application", description = "NAME is an application: show its instances.")
    boolean application;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "1000",
            description = "Show at most N entries per key; the rest are counted (default: ${DEFAULT-VALUE}).")
    int limit;

    @Override
    int run(OperatorSession session, PrintWriter out) throws Exception {
        RegistryInspector inspector = session.inspector();
        long now = inspector.redisNow().get();
        List<KeyReport> keys = application
                ? List.of(inspector.application(name, limit).get()).stream().filter(k -> k.size() != 0).toList()
                : inspector.service(name, limit).get();
        if (connection.json) {
            List<Map<String, Object>> categories = new ArrayList<>();
            for (KeyReport k : keys) {
                Map<String, Object> c = new LinkedHashMap<>();
                c.put("key", k.redisKey());
                c.put("category", k.category());
                c.put("size", k.size());
                c.put("entries", k.entries().stream().map(e -> Output.entry(e, now)).toList());
                c.put("complete", k.complete());
                if (k.problem() != null) {
                    c.put("problem", k.problem());
                }
                categories.add(c);
            }
            Output.json(out, Map.of("name", name, "categories", categories));
            return RegistryCli.OK;
        }
        if (keys.isEmpty()) {
            out.println("nothing registered for " + Output.text(name));
        }
        for (KeyReport k : keys) {
            out.println(Output.text(k.redisKey()) + (k.problem() != null ? "  (" + Output.text(k.problem()) + ")" : ""));
            for (EntryReport e : k.entries()) {
                out.printf("  %-24s %-34s %s%n", application ? "" : Output.address(e.field()), Output.expiry(e, now),
                        Output.text(e.field()));
            }
            long shown = k.entries().size();
            long all = k.live() + k.dead() + k.unreadable();
            if (!k.tooLarge() && all > shown) {
                out.printf("  ... %d more entr%s not shown (--limit %d)%n", all - shown, all - shown == 1 ? "y" : "ies", limit);
            }
        }
        out.flush();
        return RegistryCli.OK;
    }
}
