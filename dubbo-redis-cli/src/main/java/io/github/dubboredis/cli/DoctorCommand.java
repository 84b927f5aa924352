package io.github.dubboredis.cli;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.github.dubboredis.inspect.Doctor;
import io.github.dubboredis.inspect.Finding;
import io.github.dubboredis.inspect.OperatorSession;
import picocli.CommandLine.Command;

/**
 * {@code doctor}: checks the Redis a registry uses and the data in it, each finding with a fix. Exits
 * with 1 when a problem (not only a warning) was found.
 */
@Command(name = "doctor", description = "Check the registry's Redis: version, eviction policy, persistence, replication, "
        + "permissions, functions, latency, garbage, keys too large to read, entries written with skewed clocks, lease "
        + "records. Exit 1 on a problem.")
final class DoctorCommand extends SessionCommand {

    @Override
    int run(OperatorSession session, PrintWriter out) throws Exception {
        List<Finding> findings = session.doctor().examine();
        boolean healthy = Doctor.healthy(findings);
        if (connection.json) {
            Map<String, Object> report = new LinkedHashMap<>();
            report.put("healthy", healthy);
            report.put("findings", findings.stream().map(f -> Map.of("level", f.level().name(), "check", f.check(),
                    "message", f.message(), "fix", f.fix())).toList());
            Output.json(out, report);
        } else {
            for (Finding f : findings) {
                out.printf("%-8s %-12s %s%n", f.level(), f.check(), Output.text(f.message()));
                if (!f.fix().isEmpty()) {
                    out.printf("%-8s %-12s fix: %s%n", "", "", f.fix());
                }
            }
            out.println(healthy ? "no problems found" : "problems found");
            out.flush();
        }
        return healthy ? RegistryCli.OK : RegistryCli.ATTENTION;
    }
}
