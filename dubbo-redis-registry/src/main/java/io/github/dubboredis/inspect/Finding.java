package io.github.dubboredis.inspect;

/**
 * One thing the doctor found: how bad, which check, what, and the fix. The message may quote Redis data
 * (key names, fields): escape it before showing it ({@code Printable}).
 */
public record Finding(Level level, String check, String message, String fix) {

    /** How bad a finding is. */
    public enum Level {
        OK, WARNING, PROBLEM
    }

    static Finding ok(String check, String message) {
        return new Finding(Level.OK, check, message, "");
    }

    static Finding warning(String check, String message, String fix) {
        return new Finding(Level.WARNING, check, message, fix);
    }

    static Finding problem(String check, String message, String fix) {
        return new Finding(Level.PROBLEM, check, message, fix);
    }
}
