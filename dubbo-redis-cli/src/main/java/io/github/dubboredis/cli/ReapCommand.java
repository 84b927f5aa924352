package io.github.dubboredis.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.github.dubboredis.inspect.OperatorSession;
import io.github.dubboredis.inspect.RegistryInspector.EntryReport;
import io.github.dubboredis.inspect.RegistryInspector.KeyReport;
import io.github.dubboredis.inspect.RegistryInspector.State;
import io.github.dubboredis.inspect.RegistryInspector;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code reap}: removes dead entries (and announces each removal), as the registry's own reapers do. */
@Command(name = "reap", description = "Remove entries past their expiry (plus the grace) and announce the removals, "
        + "with the registry's own bounded server-side steps. --dry-run only lists them.")
final class ReapCommand extends SessionCommand {

    @Option(names = "--dry-run", description = "List what would be removed (the first 1000 per key); change nothing.")
    boolean dryRun;

    @Option(names = "--grace", paramLabel = "MILLIS",
            description = "How long past its expiry an entry must be (default: the registry's reap.grace, session/4).")
    Long grace;

    @Override
    int run(OperatorSession session, PrintWriter out) throws Exception {
        RegistryInspector inspector = session.inspector();
        long graceMillis = grace != null ? grace : session.settings().reapGrace().toMillis();
        long now = inspector.redisNow().get();
        List<KeyReport> keys = new ArrayList<>(inspector.interfaceLevel(1000).get());
        keys.addAll(inspector.applicationLevel(1000).get());
        List<Map<String, Object>> dead = new ArrayList<>();
        for (KeyReport k : keys) {
            for (EntryReport e : k.entries()) {
                if (e.state() == State.DEAD && -e.millisLeft(now) > graceMillis) {
                    Map<String, Object> d = new LinkedHashMap<>(Output.entry(e, now));
                    d.put("key", k.redisKey());
                    dead.add(d);
                }
            }
        }
        int removed = dryRun ? 0 : inspector.reap(graceMillis).get();
        if (connection.json) {
            Output.json(out, Map.of("dryRun", dryRun, "graceMillis", graceMillis, "dead", dead, "removed", removed));
            return RegistryCli.OK;
        }
        for (Map<String, Object> d : dead) {
            out.printf("%s %s  %s%n", dryRun ? "would remove" : "removed", Output.text((String) d.get("key")),
                    Output.text((String) d.get("url")));
        }
        out.printf("%d dead entr%s%s (grace %d ms)%n", dead.size(), dead.size() == 1 ? "y" : "ies",
                dryRun ? " found, nothing changed" : ", " + removed + " removed", graceMillis);
        out.flush();
        return RegistryCli.OK;
    }
}
