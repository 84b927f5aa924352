package io.github.dubboredis.internal.model;

/**
 * One field of a category hash, as the older registry writes it: the field is the URL's full string, the
 * value its expiry in milliseconds since the epoch. An entry with {@code dynamic=false} never expires.
 *
 * <p>The server-side scripts read fields and values by exactly the same rules ({@link #isDynamic},
 * {@link #parseExpiry}): what the registry calls garbage, no script takes for an expiry.
 */
public final class RegistryEntry {

    /** An expiry is 1 to 15 decimal digits: every millisecond timestamp until the year 33658, exact in Lua. */
    public static final int MAX_EXPIRY_DIGITS = 15;

    private final String field;
    private final long expiryMillis;
    private final boolean dynamic;

    private RegistryEntry(String field, long expiryMillis, boolean dynamic) {
        this.field = field;
        this.expiryMillis = expiryMillis;
        this.dynamic = dynamic;
    }

    /**
     * Reads a hash field and value.
     *
     * @throws MalformedEntryException when the value of a dynamic entry is not an expiry, which makes its
     *     liveness unknowable (the older registry fails the whole key on it; here only this entry is skipped)
     */
    public static RegistryEntry parse(String field, String value) {
        boolean dynamic = isDynamic(field);
        long expiry = parseExpiry(value);
        if (expiry < 0) {
            if (dynamic) {
                throw new MalformedEntryException("expiry is not 1 to " + MAX_EXPIRY_DIGITS + " decimal digits");
            }
            expiry = Long.MAX_VALUE;
        }
        return new RegistryEntry(field, expiry, dynamic);
    }

    /** An entry this registry knows the expiry of (written by it, or announced in a change record). */
    public static RegistryEntry of(String field, long expiryMillis) {
        return new RegistryEntry(field, expiryMillis, isDynamic(field));
    }

    /**
     * The expiry in a hash value: 1 to {@value #MAX_EXPIRY_DIGITS} ASCII digits and nothing else (no sign,
     * space, exponent or hex), or -1. The scripts use the same rule.
     */
    public static long parseExpiry(String value) {
        if (value == null || value.isEmpty() || value.length() > MAX_EXPIRY_DIGITS) {
            return -1;
        }
        long n = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            n = n * 10 + (c - '0');
        }
        return n;
    }

    /** The URL string; the hash field. */
    public String field() {
        return field;
    }

    public long expiryMillis() {
        return expiryMillis;
    }

    public boolean dynamic() {
        return dynamic;
    }

    /** This entry, expiring by {@code deadline} at the latest (for entries kept after they vanished). */
    public RegistryEntry expiringBy(long deadline) {
        return deadline >= expiryMillis ? this : new RegistryEntry(field, deadline, dynamic);
    }

    /** Live until its expiry, judged on Redis's clock; {@code dynamic=false} entries always. */
    public boolean isLiveAt(long redisNowMillis) {
        return !dynamic || expiryMillis >= redisNowMillis;
    }

    /**
     * Whether a URL string is dynamic, as the scripts read it: the query is what follows the first
     * {@code ?}, split on {@code &}; the last {@code dynamic=} wins, else the last
     * {@code default.dynamic=}; an absent or empty value, or {@code true} in any ASCII case, is dynamic
     * (Dubbo's {@code URL.getParameter("dynamic", true)}), anything else static.
     */
    public static boolean isDynamic(String url) {
        int query = url.indexOf('?');
        if (query < 0) {
            return true;
        }
        String value = null;
        String defaultValue = null;
        int start = query + 1;
        while (start <= url.length()) {
            int end = url.indexOf('&', start);
            if (end < 0) {
                end = url.length();
            }
            if (url.startsWith("dynamic=", start)) {
                value = url.substring(start + "dynamic=".length(), end);
            } else if (url.startsWith("default.dynamic=", start)) {
                defaultValue = url.substring(start + "default.dynamic=".length(), end);
            }
            start = end + 1;
        }
        String effective = value != null ? value : defaultValue;
        return effective == null || effective.isEmpty() || isAsciiTrue(effective);
    }

    private static boolean isAsciiTrue(String s) {
        if (s.length() != 4) {
            return false;
        }
        String lower = "true";
        for (int i = 0; i < 4; i++) {
            char c = s.charAt(i);
            char l = c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c;
            if (l != lower.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return field + "=" + (dynamic ? Long.toString(expiryMillis) : "static");
    }

    /** An entry that cannot be read; the registry skips it and reports it. */
    public static final class MalformedEntryException extends IllegalArgumentException {
        public MalformedEntryException(String message) {
            super(message);
        }
    }
}
