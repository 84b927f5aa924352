package io.github.dubboredis.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

import io.github.dubboredis.inspect.OperatorSession;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** What every command shares: the registry's connection options, and a session open around its work. */
abstract class SessionCommand implements Callable<Integer> {

    @Mixin
    ConnectionOptions connection;

    @Spec
    CommandSpec spec;

    @Override
    public final Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        try (OperatorSession session = connection.open()) {
            return run(session, out);
        }
    }

    /** The command's work on an open session, printing to {@code out}; returns the exit code. */
    abstract int run(OperatorSession session, PrintWriter out) throws Exception;
}
