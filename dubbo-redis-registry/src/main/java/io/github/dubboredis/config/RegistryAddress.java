package io.github.dubboredis.config;

import java.util.Map;

/**
 * A registry address as the user wrote it, whatever wrote it down (a Dubbo URL, a command line): the first
 * node, the credentials, and every parameter. {@link SettingsParser} turns it into checked settings.
 *
 * @param host the first node's host, with or without IPv6 brackets; null or empty when missing
 * @param port the first node's port; 0 when not given (then 6379)
 * @param username the user name in the address, or null
 * @param password the password in the address, or null; never printed
 * @param parameters every parameter, by name
 */
public record RegistryAddress(String host, int port, String username, String password, Map<String, String> parameters) {

    public RegistryAddress {
        // Dubbo's URLs may carry parameters without a value: they count as not given.
        Map<String, String> given = new java.util.LinkedHashMap<>();
        parameters.forEach((k, v) -> {
            if (k != null && v != null) {
                given.put(k, v);
            }
        });
        parameters = java.util.Collections.unmodifiableMap(given);
    }

    /** Never shows the password. */
    @Override
    public String toString() {
        return "RegistryAddress[" + host + ":" + port + (username == null ? "" : ", user " + username)
                + (password == null ? "" : ", password ******") + ", " + parameters.keySet() + "]";
    }
}
