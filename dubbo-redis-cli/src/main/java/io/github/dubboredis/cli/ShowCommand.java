package io.github.dubboredis.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.github.dubboredis.registry.RegistryInspector;
import io.github.dubboredis.registry.RegistryInspector.Entry;
import io.github.dubboredis.registry.RegistryInspector.KeyReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code show SERVICE}: each entry with its address, parameters and time to expiry; dead ones marked. */
@Command(name = "show", description = "Show a service's entries (or, with --application, an application's instances): "
        + "address, parameters, time left to expiry; dead entries marked.")
final class ShowCommand extends SessionCommand {

    @Parameters(paramLabel = "NAME", description = "The service interface (or application, with --application).")
    String name;

    @Option(names = "--application", description = "NAME is an application: show its instances.")
    boolean application;

    @Override
    int run(ConnectionOptions.Session session, PrintWriter out) throws Exception {
        RegistryInspector inspector = session.inspector();
        long now = inspector.redisNow().get();
        List<KeyReport> keys = application
                ? inspector.applicationLevel().get().stream().filter(k -> k.key().service().equals(name)).toList()
                : inspector.service(name).get();
        if (connection.json) {
            List<Map<String, Object>> categories = new ArrayList<>();
            for (KeyReport k : keys) {
                Map<String, Object> c = new LinkedHashMap<>();
                c.put("key", k.redisKey());
                c.put("category", k.key() == null ? null : k.key().category());
                c.put("entries", k.entries().stream().map(e -> Output.entry(e, now)).toList());
                if (k.problem() != null) {
                    c.put("problem", k.problem());
                }
                categories.add(c);
            }
            Output.json(out, Map.of("name", name, "categories", categories));
            return RegistryCli.OK;
        }
        if (keys.isEmpty()) {
            out.println("nothing registered for " + name);
        }
        for (KeyReport k : keys) {
            out.println(k.redisKey() + (k.problem() != null ? "  (" + k.problem() + ")" : ""));
            for (Entry e : k.entries()) {
                out.printf("  %-24s %-34s %s%n", application ? "" : Output.address(e.field()), Output.expiry(e, now), e.field());
            }
        }
        out.flush();
        return RegistryCli.OK;
    }
}
