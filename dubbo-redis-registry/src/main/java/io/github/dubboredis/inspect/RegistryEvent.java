package io.github.dubboredis.inspect;

/**
 * A change an operator watches: an entry that appeared ({@code register}), left ({@code unregister}), or left
 * past its expiry ({@code expired}: reaped). Key and field are raw Redis data: escape them before showing.
 */
public record RegistryEvent(long timeMillis, Type type, String key, String field) {

    /** What happened to the entry. */
    public enum Type {
        REGISTER, UNREGISTER, EXPIRED;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
