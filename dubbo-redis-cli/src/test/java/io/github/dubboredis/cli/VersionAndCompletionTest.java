package io.github.dubboredis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;

import org.junit.jupiter.api.Test;

/** --version tells the version the build wrote, not a string in the code; completion covers every command. */
class VersionAndCompletionTest {

    private static String[] run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = RegistryCli.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new String[] {Integer.toString(exit), out.toString(), err.toString()};
    }

    @Test
    void versionIsTheOneTheBuildFilteredIn() {
        String[] version = run("--version");
        assertThat(version[0]).isEqualTo("0");
        assertThat(version[1].lines().findFirst()).hasValueSatisfying(
                first -> assertThat(first).matches("dubbo-redis \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?"));
        assertThat(version[1]).contains("built with Dubbo 3.").doesNotContain("${");
        assertThat(run("ls", "--version")[1]).isEqualTo(version[1]);
    }

    @Test
    void completionScriptCompletesEveryCommandAndItsOptions() {
        String[] completion = run("completion");
        assertThat(completion[0]).isEqualTo("0");
        assertThat(completion[1]).startsWith("#!/usr/bin/env bash").contains("complete -F _complete_dubbo-redis")
                .contains("ls", "show", "watch", "reap", "doctor", "failback", "functions", "completion")
                .contains("--json", "--address", "--dry-run");
    }
}
