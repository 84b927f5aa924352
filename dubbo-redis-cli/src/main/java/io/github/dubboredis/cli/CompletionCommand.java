package io.github.dubboredis.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code completion}: prints picocli's completion script for every command and option, generated from the model. */
@Command(name = "completion", description = "Print a bash completion script for dubbo-redis (zsh: after bashcompinit). "
        + "Try it with: source <(dubbo-redis completion)")
final class CompletionCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        out.print(AutoComplete.bash(spec.root().name(), spec.root().commandLine()));
        out.flush();
        return RegistryCli.OK;
    }
}
