package io.github.dubboredis.it.faults;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The figures of a fault test: printed, and appended as a table row to
 * {@code dubbo-redis-it/target/fault-report.md}, from which the README's table is made.
 */
final class FaultReport {

    private static final Path FILE = Path.of("target", "fault-report.md");

    private FaultReport() {
    }

    static void row(String fault, String behaviour, String recovery, int callsFailed, int calls, String lost) {
        String line = String.format("| %s | %s | %s | %d of %d | %s |", fault, behaviour, recovery, callsFailed, calls, lost);
        System.out.println("FAULT-REPORT " + line);
        try {
            Files.createDirectories(FILE.getParent());
            if (!Files.exists(FILE)) {
                Files.writeString(FILE, "| Fault | What the registry does | Recovery (measured) | Calls failed | Registrations lost |\n"
                        + "|---|---|---|---|---|\n", StandardCharsets.UTF_8);
            }
            Files.writeString(FILE, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
