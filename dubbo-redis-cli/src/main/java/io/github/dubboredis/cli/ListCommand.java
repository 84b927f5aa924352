package io.github.dubboredis.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.github.dubboredis.registry.RegistryInspector;
import io.github.dubboredis.registry.RegistryInspector.KeyReport;
import io.github.dubboredis.registry.RegistryInspector.State;
import picocli.CommandLine.Command;

/** {@code ls}: every service with its provider and consumer counts, and every application's instances. */
@Command(name = "ls", description = "List services (live providers and consumers, dead entries) and applications (instances).")
final class ListCommand extends SessionCommand {

    @Override
    int run(ConnectionOptions.Session session, PrintWriter out) throws Exception {
        RegistryInspector inspector = session.inspector();
        List<KeyReport> keys = inspector.interfaceLevel().get();
        List<KeyReport> apps = inspector.applicationLevel().get();

        Map<String, Map<String, Object>> services = new TreeMap<>();
        List<String> malformed = new ArrayList<>();
        for (KeyReport k : keys) {
            if (k.key() == null || k.problem() != null) {
                malformed.add(k.redisKey());
                continue;
            }
            Map<String, Object> s = services.computeIfAbsent(k.key().service(), x -> new LinkedHashMap<>(Map.of(
                    "service", x, "providers", 0L, "consumers", 0L, "routers", 0L, "configurators", 0L, "dead", 0L)));
            s.merge(k.key().category(), k.count(State.LIVE), (a, b) -> (Long) a + (Long) b);
            s.merge("dead", k.count(State.DEAD), (a, b) -> (Long) a + (Long) b);
        }
        List<Map<String, Object>> applications = new ArrayList<>();
        for (KeyReport k : apps) {
            applications.add(new LinkedHashMap<>(Map.of("application", k.key().service(), "instances",
                    k.count(State.LIVE), "dead", k.count(State.DEAD))));
        }
        if (connection.json) {
            Map<String, Object> all = new LinkedHashMap<>();
            all.put("root", inspector.root().root());
            all.put("services", new ArrayList<>(services.values()));
            all.put("applications", applications);
            all.put("malformedKeys", malformed);
            Output.json(out, all);
            return RegistryCli.OK;
        }
        out.printf("%-60s %9s %9s %5s%n", "SERVICE (" + inspector.root().root() + ")", "PROVIDERS", "CONSUMERS", "DEAD");
        for (Map<String, Object> s : services.values()) {
            out.printf("%-60s %9d %9d %5d%n", s.get("service"), s.get("providers"), s.get("consumers"), s.get("dead"));
        }
        if (!applications.isEmpty()) {
            out.printf("%n%-60s %9s %5s%n", "APPLICATION", "INSTANCES", "DEAD");
            for (Map<String, Object> a : applications) {
                out.printf("%-60s %9d %5d%n", a.get("application"), a.get("instances"), a.get("dead"));
            }
        }
        if (!malformed.isEmpty()) {
            out.printf("%n%d key(s) under the root are not registry hashes (see doctor): %s%n", malformed.size(), malformed);
        }
        out.flush();
        return RegistryCli.OK;
    }
}
