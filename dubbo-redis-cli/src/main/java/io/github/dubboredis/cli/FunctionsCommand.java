package io.github.dubboredis.cli;

import java.io.PrintWriter;
import java.util.Map;

import io.github.dubboredis.inspect.OperatorSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code functions load|print}: the registry's server-side steps as a Redis 7 function library. Loaded once by an
 * operator (a user allowed FUNCTION LOAD), they let the registry's own user run them with FCALL, so that user needs
 * no right to run arbitrary Lua ({@code -eval -evalsha}): see the README's ACL rule.
 */
@Command(name = "functions", description = "load: load (or replace) the registry's function library on the node in use "
        + "(Redis 7; run it again after an upgrade of the registry; on Redis Cluster, on every master). print: print "
        + "the library's source, to load it by other means.")
final class FunctionsCommand extends SessionCommand {

    @Parameters(paramLabel = "ACTION", description = "load or print")
    String action;

    @Override
    int run(OperatorSession session, PrintWriter out) throws Exception {
        if ("print".equals(action)) {
            out.print(OperatorSession.functionLibrary());
            out.flush();
            return RegistryCli.OK;
        }
        if (!"load".equals(action)) {
            throw new IllegalArgumentException("unknown action '" + Output.text(action) + "': use load or print");
        }
        String library = session.loadFunctions().get();
        if (connection.json) {
            Output.json(out, Map.of("loaded", library, "redis", session.describe()));
        } else {
            out.printf("loaded function library %s on %s%n", library, session.describe());
            out.flush();
        }
        return RegistryCli.OK;
    }
}
