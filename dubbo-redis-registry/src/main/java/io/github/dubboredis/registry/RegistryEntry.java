package io.github.dubboredis.registry;

/**
 * One field of a category hash, as the older registry writes it: the field is the URL's full string, the
 * value its expiry in milliseconds since the epoch. An entry with {@code dynamic=false} never expires.
 */
public final class RegistryEntry {

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
     * @throws MalformedEntryException when the value of a dynamic entry is not a number, which makes its
     *     liveness unknowable (the older registry fails the whole key on it; here only this entry is skipped)
     */
    public static RegistryEntry parse(String field, String value) {
        boolean dynamic = isDynamic(field);
        long expiry;
        try {
            expiry = Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            if (dynamic) {
                throw new MalformedEntryException("expiry '" + abbreviate(value) + "' is not a number of milliseconds");
            }
            expiry = Long.MAX_VALUE;
        }
        return new RegistryEntry(field, expiry, dynamic);
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
    RegistryEntry expiringBy(long deadline) {
        return deadline >= expiryMillis ? this : new RegistryEntry(field, deadline, dynamic);
    }

    /** Live until its expiry, judged on Redis's clock; {@code dynamic=false} entries always. */
    public boolean isLiveAt(long redisNowMillis) {
        return !dynamic || expiryMillis >= redisNowMillis;
    }

    /**
     * Whether a URL string carries {@code dynamic=false} (or {@code default.dynamic=false}), read the way
     * Dubbo's {@code URL.getParameter("dynamic", true)} reads it, without parsing the whole URL.
     */
    public static boolean isDynamic(String url) {
        int query = url.indexOf('?');
        if (query < 0) {
            return true;
        }
        String value = null;
        String defaultValue = null;
        for (String pair : url.substring(query + 1).split("&")) {
            if (pair.startsWith("dynamic=")) {
                value = pair.substring("dynamic=".length());
            } else if (pair.startsWith("default.dynamic=")) {
                defaultValue = pair.substring("default.dynamic=".length());
            }
        }
        String effective = value != null ? value : defaultValue;
        return effective == null || effective.isEmpty() || Boolean.parseBoolean(effective);
    }

    static String abbreviate(String s) {
        return s.length() <= 64 ? s : s.substring(0, 61) + "...";
    }

    @Override
    public String toString() {
        return field + "=" + (dynamic ? Long.toString(expiryMillis) : "static");
    }

    /** An entry that cannot be read; the registry skips it and reports it once. */
    public static final class MalformedEntryException extends IllegalArgumentException {
        public MalformedEntryException(String message) {
            super(message);
        }
    }
}
