package io.github.dubboredis.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.github.dubboredis.inspect.OperatorSession;
import io.github.dubboredis.inspect.RegistryInspector.KeyReport;
import io.github.dubboredis.inspect.RegistryInspector;
import picocli.CommandLine.Command;

/** {@code ls}: every service with its provider and consumer counts, and every application's instances. */
@Command(name = "ls", description = "List services (live providers and consumers, dead entries) and applications (instances).")
final class ListCommand extends SessionCommand {

    @Override
    int run(OperatorSession session, PrintWriter out) throws Exception {
        RegistryInspector inspector = session.inspector();
        // Counts only: each key is walked page by page and no entry is kept, however big.
        List<KeyReport> keys = inspector.interfaceLevel(0).get();
        List<KeyReport> apps = inspector.applicationLevel(0).get();

        Map<String, Map<String, Object>> services = new TreeMap<>();
        List<String> malformed = new ArrayList<>();
        List<String> tooLarge = new ArrayList<>();
        for (KeyReport k : keys) {
            if (k.tooLarge()) {
                tooLarge.add(k.redisKey() + " (" + k.size() + " entries)");
            }
            if (k.service() == null || (k.problem() != null && !k.tooLarge())) {
                malformed.add(k.redisKey());
                continue;
            }
            Map<String, Object> s = services.computeIfAbsent(k.service(), x -> new LinkedHashMap<>(Map.of(
                    "service", x, "providers", 0L, "consumers", 0L, "routers", 0L, "configurators", 0L, "dead", 0L)));
            s.merge(k.category(), k.live(), (a, b) -> (Long) a + (Long) b);
            s.merge("dead", k.dead(), (a, b) -> (Long) a + (Long) b);
        }
        List<Map<String, Object>> applications = new ArrayList<>();
        for (KeyReport k : apps) {
            applications.add(new LinkedHashMap<>(Map.of("application", k.service(), "instances", k.live(), "dead", k.dead())));
        }
        if (connection.json) {
            Map<String, Object> all = new LinkedHashMap<>();
            all.put("root", inspector.root());
            all.put("services", new ArrayList<>(services.values()));
            all.put("applications", applications);
            all.put("malformedKeys", malformed);
            all.put("keysTooLarge", tooLarge);
            Output.json(out, all);
            return RegistryCli.OK;
        }
        out.printf("%-60s %9s %9s %5s%n", "SERVICE (" + Output.text(inspector.root()) + ")", "PROVIDERS", "CONSUMERS", "DEAD");
        for (Map<String, Object> s : services.values()) {
            out.printf("%-60s %9d %9d %5d%n", Output.text((String) s.get("service")), s.get("providers"), s.get("consumers"),
                    s.get("dead"));
        }
        if (!applications.isEmpty()) {
            out.printf("%n%-60s %9s %5s%n", "APPLICATION", "INSTANCES", "DEAD");
            for (Map<String, Object> a : applications) {
                out.printf("%-60s %9d %5d%n", Output.text((String) a.get("application")), a.get("instances"), a.get("dead"));
            }
        }
        if (!tooLarge.isEmpty()) {
            out.printf("%n%d key(s) hold more than key.max-entries (%d) and are not read by registries (see doctor):%n",
                    tooLarge.size(), inspector.maxEntriesPerKey());
            tooLarge.forEach(k -> out.println("  " + Output.text(k)));
        }
        if (!malformed.isEmpty()) {
            out.printf("%n%d key(s) under the root are not registry hashes (see doctor):%n", malformed.size());
            malformed.forEach(k -> out.println("  " + Output.text(k)));
        }
        out.flush();
        return RegistryCli.OK;
    }
}
