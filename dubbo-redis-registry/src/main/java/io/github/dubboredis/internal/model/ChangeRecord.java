package io.github.dubboredis.internal.model;

/**
 * One change of a hash, as the writing script publishes it on the hash's change channel
 * ({@link CategoryKey#changeChannel()}) right before the plain {@code register}/{@code unregister} that
 * older registries need: the hash's new sequence number, the entry created, updated or removed, and whether
 * the announcement follows this record (the last record of its script). A subscriber that holds a key at
 * sequence {@code n} applies record {@code n + 1} without reading the hash; a gap, a doubt or a reconnect
 * makes it read the whole hash.
 *
 * <p>Wire form, one record per message: {@code 1 <seq> <flags> <+|~|-> <value> <field>}; the field is
 * everything after the fifth space. Flags: {@code a} when the announcement follows this record, {@code n} when
 * this record starts a new sequence (the hash had none: it was new, or had become empty), {@code -} for none.
 * The scripts in the Redis layer write exactly this.
 */
public record ChangeRecord(long sequence, boolean announced, boolean newSequence, Op op, String value, String field) {

    static final String VERSION = "1";

    /** What happened to the entry. */
    public enum Op {
        /** The field did not exist. */
        CREATED('+'),
        /** The field existed; its value changed. */
        UPDATED('~'),
        /** The field was deleted (value {@code 0}). */
        REMOVED('-');

        private final char symbol;

        Op(char symbol) {
            this.symbol = symbol;
        }

        public char symbol() {
            return symbol;
        }

        static Op of(char symbol) {
            for (Op op : values()) {
                if (op.symbol == symbol) {
                    return op;
                }
            }
            return null;
        }
    }

    public boolean put() {
        return op != Op.REMOVED;
    }

    public String encode() {
        String flags = (announced ? "a" : "") + (newSequence ? "n" : "");
        return VERSION + ' ' + sequence + ' ' + (flags.isEmpty() ? "-" : flags) + ' ' + op.symbol + ' ' + value + ' ' + field;
    }

    /** Reads a message of a change channel; null when it is not a record this version understands. */
    public static ChangeRecord decode(String message) {
        if (message == null || !message.startsWith(VERSION + " ")) {
            return null;
        }
        int seqStart = VERSION.length() + 1;
        int seqEnd = message.indexOf(' ', seqStart);
        if (seqEnd < 0) {
            return null;
        }
        long sequence = parseSequence(message.substring(seqStart, seqEnd));
        int flagsEnd = message.indexOf(' ', seqEnd + 1);
        if (sequence < 0 || flagsEnd < 0 || flagsEnd - seqEnd - 1 > 2 || flagsEnd + 4 > message.length()) {
            return null;
        }
        String flags = message.substring(seqEnd + 1, flagsEnd);
        if (!(flags.equals("-") || flags.equals("a") || flags.equals("n") || flags.equals("an"))) {
            return null; // compared, not matched: a regular expression compiled per message cost more than the rest
        }
        Op op = Op.of(message.charAt(flagsEnd + 1));
        if (op == null || message.charAt(flagsEnd + 2) != ' ') {
            return null;
        }
        int valueEnd = message.indexOf(' ', flagsEnd + 3);
        if (valueEnd < 0) {
            return null;
        }
        String value = message.substring(flagsEnd + 3, valueEnd);
        if (RegistryEntry.parseExpiry(value) < 0) {
            return null;
        }
        return new ChangeRecord(sequence, flags.contains("a"), flags.contains("n"), op, value, message.substring(valueEnd + 1));
    }

    /** A sequence number as the scripts write it: 1 to 16 digits, below 2^53 (exact in Lua); -1 otherwise. */
    public static long parseSequence(String s) {
        if (s == null || s.isEmpty() || s.length() > 16) {
            return -1;
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return -1;
            }
        }
        long n = Long.parseLong(s);
        return n < (1L << 53) ? n : -1;
    }
}
