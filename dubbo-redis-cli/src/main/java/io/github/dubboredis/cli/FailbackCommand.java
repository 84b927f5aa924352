package io.github.dubboredis.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.github.dubboredis.inspect.OperatorSession.NodeReply;
import io.github.dubboredis.inspect.OperatorSession;
import picocli.CommandLine.Command;

/**
 * {@code failback}: with {@code cluster=failover}, registries move to a backup node when the one in use
 * fails, and never move back by themselves (a flapping node would drag them along). This asks all of
 * them at once, on every node of the address list, since each may be on any of them.
 */
@Command(name = "failback", description = "cluster=failover: ask every registry on this address list to move back to "
        + "the first node that answers (re-registering and re-reading there). Exit code 1 if some node could not be "
        + "asked.")
final class FailbackCommand extends SessionCommand {

    @Override
    int run(OperatorSession session, PrintWriter out) throws Exception {
        List<NodeReply> replies = session.failback("asked by dubbo-redis failback").get();
        boolean allAsked = replies.stream().allMatch(r -> r.failure() == null);
        if (connection.json) {
            List<Map<String, Object>> nodes = new ArrayList<>();
            for (NodeReply r : replies) {
                Map<String, Object> n = new LinkedHashMap<>();
                n.put("node", r.node());
                n.put("heardBy", r.heardBy());
                n.put("failure", r.failure());
                nodes.add(n);
            }
            Output.json(out, Map.of("nodes", nodes));
        } else {
            for (NodeReply r : replies) {
                out.printf("%-24s %s%n", r.node(), r.failure() != null ? "NOT ASKED: " + r.failure()
                        : "heard on " + r.heardBy() + " subscribed connection(s) (one per application)");
            }
            out.flush();
        }
        return allAsked ? RegistryCli.OK : RegistryCli.ATTENTION;
    }
}
