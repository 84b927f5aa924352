package io.github.dubboredis.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.concurrent.Callable;

import io.github.dubboredis.inspect.OperatorSession;
import io.github.dubboredis.internal.configcenter.ConfigCenter;
import io.github.dubboredis.internal.configcenter.StoredConfig;
import io.github.dubboredis.text.Printable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code config ls|get|put|rm}: the configuration centre's rules and properties, on the same Redis and with the
 * same connection options as the registry. A rule is checked with Dubbo's own parsers before it is written.
 */
@Command(name = "config", description = "List, show, write (checked with Dubbo's own parsers first) and remove governance rules "
        + "and configuration in the Redis configuration centre.",
        subcommands = {ConfigCommand.Ls.class, ConfigCommand.Get.class, ConfigCommand.Put.class, ConfigCommand.Rm.class})
final class ConfigCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return RegistryCli.USAGE;
    }

    /** What every config command shares: the connection, the namespace and group, and a session around the work. */
    abstract static class Base implements Callable<Integer> {

        @Mixin
        ConnectionOptions connection;

        @Spec
        CommandSpec spec;

        @Option(names = {"-g", "--group"}, defaultValue = "dubbo", paramLabel = "GROUP",
                description = "The group (default: ${DEFAULT-VALUE}, where Dubbo reads every governance rule from).")
        String group;

        @Option(names = "--namespace", defaultValue = "dubbo", paramLabel = "NAMESPACE",
                description = "The centre's namespace: 'namespace' of dubbo.config-center, or the registry's group when the "
                        + "registry serves as centre and its group is set (default: ${DEFAULT-VALUE}).")
        String namespace;

        @Override
        public final Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            Integer early = before(out);
            if (early != null) {
                return early;
            }
            try (OperatorSession session = connection.open()) {
                return run(session.configCentre(namespace), out);
            }
        }

        /** Work that needs no Redis (checks); a non-null exit code ends the command there. */
        Integer before(PrintWriter out) throws Exception {
            return null;
        }

        abstract int run(ConfigCenter centre, PrintWriter out) throws Exception;
    }

    @Command(name = "ls", description = "List the keys of a group with the size of each.")
    static final class Ls extends Base {
        @Override
        int run(ConfigCenter centre, PrintWriter out) {
            SortedMap<String, Long> keys = centre.keys(group).join();
            if (connection.json) {
                List<Map<String, Object>> list = keys.entrySet().stream().map(e -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("key", e.getKey());
                    m.put("bytes", e.getValue());
                    m.put("kind", kindOf(e.getKey()));
                    return m;
                }).toList();
                Output.json(out, Map.of("namespace", namespace, "group", group, "keys", list));
                return RegistryCli.OK;
            }
            out.printf("%-70s %9s  %s%n", "KEY (group " + Output.text(group) + ")", "BYTES", "KIND");
            for (Map.Entry<String, Long> e : keys.entrySet()) {
                out.printf("%-70s %9d  %s%n", Output.text(e.getKey()), e.getValue(), kindOf(e.getKey()));
            }
            if (keys.isEmpty()) {
                out.println("(none)");
            }
            out.flush();
            return RegistryCli.OK;
        }
    }

    @Command(name = "get", description = "Show a key's content (and, with --json, its ticket for put --expect).")
    static final class Get extends Base {
        @Parameters(paramLabel = "KEY", description = "The key, e.g. org.foo.DemoService::.condition-router or demo-provider.tag-router.")
        String key;

        @Override
        int run(ConfigCenter centre, PrintWriter out) {
            StoredConfig stored = centre.getWithTicket(group, key).join();
            if (connection.json) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("group", group);
                m.put("key", key);
                m.put("content", stored.content());
                m.put("ticket", stored.ticket());
                Output.json(out, m);
                return stored.content() == null ? RegistryCli.ATTENTION : RegistryCli.OK;
            }
            if (stored.content() == null) {
                out.println("no configuration " + Output.text(key) + " in group " + Output.text(group));
                out.flush();
                return RegistryCli.ATTENTION;
            }
            // Line by line, each escaped: a rule's lines stay readable, a control character in them stays harmless.
            for (String line : stored.content().split("\n", -1)) {
                out.println(Printable.of(line, line.length() * 6 + 16));
            }
            out.flush();
            return RegistryCli.OK;
        }
    }

    @Command(name = "put", description = "Write a key from a YAML (or properties) file, after checking it with Dubbo's own "
            + "parsers by the kind its key names; errors stop the write (exit 2), warnings are shown.")
    static final class Put extends Base {
        @Parameters(index = "0", paramLabel = "KEY", description = "The key, e.g. org.foo.DemoService::.condition-router.")
        String key;

        @Parameters(index = "1", paramLabel = "FILE", description = "The file with the content; '-' reads standard input.")
        String file;

        @Option(names = "--expect", paramLabel = "TICKET", description = "Write only if the key still holds what this ticket "
                + "(from 'config get --json') says; 'none': only if there is none yet. Otherwise exit 1.")
        String expect;

        @Option(names = "--dry-run", description = "Check only; write nothing.")
        boolean dryRun;

        private String content;
        private RuleCheck.Result check;

        @Override
        Integer before(PrintWriter out) throws IOException {
            content = "-".equals(file) ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8)
                    : Files.readString(Path.of(file), StandardCharsets.UTF_8);
            check = RuleCheck.check(group, key, content);
            if (!check.ok() || dryRun) {
                report(out, false, null);
                return check.ok() ? RegistryCli.OK : RegistryCli.USAGE;
            }
            return null;
        }

        @Override
        int run(ConfigCenter centre, PrintWriter out) {
            boolean written;
            if (expect == null) {
                written = centre.put(group, key, content).join();
            } else {
                written = centre.putIfUnchanged(group, key, content, "none".equals(expect) ? null : expect).join();
            }
            report(out, written, written ? centre.getWithTicket(group, key).join().ticket() : null);
            return written ? RegistryCli.OK : RegistryCli.ATTENTION;
        }

        private void report(PrintWriter out, boolean written, String ticket) {
            if (connection.json) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("group", group);
                m.put("key", key);
                m.put("kind", check.kind());
                m.put("written", written);
                m.put("errors", check.errors());
                m.put("warnings", check.warnings());
                if (ticket != null) {
                    m.put("ticket", ticket);
                }
                Output.json(out, m);
                return;
            }
            for (String e : check.errors()) {
                out.println("error: " + e);
            }
            for (String w : check.warnings()) {
                out.println("warning: " + w);
            }
            if (!check.ok()) {
                out.println("not written: " + check.errors().size() + " error(s) in this " + check.kind());
            } else if (dryRun) {
                out.println("checked: a " + check.kind() + " Dubbo can use" + (check.warnings().isEmpty() ? "" : " (see the warnings)")
                        + "; nothing written (--dry-run)");
            } else if (written) {
                out.println("written: " + Output.text(key) + " in group " + Output.text(group) + " (" + check.kind() + ")");
            } else {
                out.println("not written: " + Output.text(key) + " changed since the ticket was read (or exists, with --expect "
                        + "none); read it again with 'config get --json'");
            }
            out.flush();
        }
    }

    @Command(name = "rm", description = "Remove a key; applications that hold it (also after Redis lost its data) drop it.")
    static final class Rm extends Base {
        @Parameters(paramLabel = "KEY", description = "The key.")
        String key;

        @Override
        int run(ConfigCenter centre, PrintWriter out) {
            boolean existed = centre.remove(group, key).join();
            if (connection.json) {
                Output.json(out, Map.of("group", group, "key", key, "existed", existed));
                return RegistryCli.OK;
            }
            out.println((existed ? "removed: " : "was not there (removal announced anyway): ") + Output.text(key) + " in group "
                    + Output.text(group));
            out.flush();
            return RegistryCli.OK;
        }
    }

    static String kindOf(String key) {
        for (String suffix : List.of(".condition-router", ".tag-router", ".configurators", ".script-router", ".migration")) {
            if (key.endsWith(suffix)) {
                return suffix.substring(1);
            }
        }
        return key.endsWith(".properties") ? "properties" : "";
    }
}
