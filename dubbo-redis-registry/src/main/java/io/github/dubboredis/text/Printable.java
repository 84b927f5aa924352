package io.github.dubboredis.text;

/**
 * Text that came from Redis, made safe to show: anyone who can write to the keyspace chooses these bytes,
 * so before they reach a log line, a terminal or a page every control character is escaped (a forged log
 * line, a cleared screen or a changed window title starts with one) and the length is cut.
 */
public final class Printable {

    /** The longest piece of Redis data a log line or table cell shows. */
    public static final int DEFAULT_LIMIT = 200;

    private Printable() {
    }

    /** {@link #of(String, int)} with the {@link #DEFAULT_LIMIT}. */
    public static String of(String raw) {
        return of(raw, DEFAULT_LIMIT);
    }

    /**
     * Escapes control characters ({@code \n}, {@code \r}, {@code \t} as such, others as {@code \xNN} or
     * {@code \\uNNNN}, including DEL, C1 controls and Unicode line and bidi-override separators) and
     * backslashes, and cuts the result to about {@code limit} characters, saying how long the original was.
     */
    public static String of(String raw, int limit) {
        if (raw == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder(Math.min(raw.length(), limit) + 16);
        int i = 0;
        for (; i < raw.length() && out.length() < limit; i++) {
            char c = raw.charAt(i);
            switch (c) {
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (needsEscape(c)) {
                        out.append(c < 0x100 ? String.format("\\x%02x", (int) c) : String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        if (i < raw.length()) {
            out.append("...(").append(raw.length()).append(" chars)");
        }
        return out.toString();
    }

    /** Whether a string can be shown as it is (no character {@link #of} would escape). */
    public static boolean isPlain(String raw) {
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '\\' || needsEscape(c) || c == '\n' || c == '\r' || c == '\t') {
                return false;
            }
        }
        return true;
    }

    private static boolean needsEscape(char c) {
        return c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)
                || c == '\u2028' || c == '\u2029' // line and paragraph separators
                || (c >= '\u202a' && c <= '\u202e') || (c >= '\u2066' && c <= '\u2069'); // bidi overrides
    }
}
