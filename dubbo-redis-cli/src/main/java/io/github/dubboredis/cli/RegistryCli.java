package io.github.dubboredis.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

import io.github.dubboredis.internal.store.RedisAccessException;
import io.github.dubboredis.text.Printable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/**
 * {@code dubbo-redis}: the operator's view of a Redis registry. Exit codes: 0 all well, 1 something
 * found that needs attention (a doctor finding, a node failback could not ask), 2 bad usage or
 * settings, 3 Redis cannot be used.
 */
// INHERIT: every subcommand takes --help and --version as well.
@Command(name = "dubbo-redis", mixinStandardHelpOptions = true, scope = ScopeType.INHERIT, versionProvider = VersionProvider.class,
        description = "Look into, watch and tend a Dubbo Redis registry.",
        subcommands = {ListCommand.class, ShowCommand.class, WatchCommand.class, ReapCommand.class, DoctorCommand.class,
            FailbackCommand.class, FunctionsCommand.class, ConfigCommand.class, ConsoleCommand.class, CompletionCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:all well", "1:something needs attention (doctor findings, a node failback could not ask)",
            "2:bad usage or settings", "3:Redis cannot be used (unreachable, credentials refused)"})
public final class RegistryCli implements Callable<Integer> {

    static final int OK = 0;
    static final int ATTENTION = 1;
    static final int USAGE = 2;
    static final int UNAVAILABLE = 3;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return USAGE;
    }

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs a command line, writing to the given streams; returns the exit code. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new RegistryCli());
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((e, commandLine, parsed) -> {
            Throwable cause = e;
            while ((cause instanceof java.util.concurrent.CompletionException
                    || cause instanceof java.util.concurrent.ExecutionException) && cause.getCause() != null) {
                cause = cause.getCause();
            }
            commandLine.getErr().println("dubbo-redis: " + Printable.of(String.valueOf(cause.getMessage()), 2000));
            if (cause instanceof RedisAccessException) {
                return UNAVAILABLE;
            }
            return ConnectionOptions.isSettingsProblem(cause) ? USAGE : UNAVAILABLE;
        });
        return cli.execute(args);
    }
}
