package io.github.dubboredis.dubbo;

import static org.apache.dubbo.common.constants.CommonConstants.CHECK_KEY;

import org.apache.dubbo.common.URL;

import io.github.dubboredis.config.InvalidSettingException;
import io.github.dubboredis.config.RedisRegistrySettings;
import io.github.dubboredis.config.RegistryAddress;
import io.github.dubboredis.config.SettingsParser;

/** Reads a Dubbo registry URL into the registry's settings: the only place that knows both. */
final class DubboSettings {

    private DubboSettings() {
    }

    static RegistryAddress address(URL url) {
        return new RegistryAddress(url.getHost(), url.getPort(), url.getUsername(), url.getPassword(), url.getParameters());
    }

    /**
     * Whether Dubbo fails start-up when this registry cannot be created: its own rule in
     * {@code AbstractRegistryFactory}, {@code check} (default true) and a port given. Otherwise Dubbo only logs a
     * warning and runs without the registry, so the registry must then never fail for want of Redis.
     */
    static boolean dubboChecks(URL url) {
        return url.getParameter(CHECK_KEY, true) && url.getPort() != 0;
    }

    /**
     * The settings, or the failure Dubbo's conventions want: {@link IllegalStateException} where Dubbo checks
     * (its registries throw that for an address they cannot use), and an {@link InvalidRegistryConfigurationError}
     * where it does not, because Dubbo turns any exception into a warning then: a typo is not an outage, and an
     * application must not start without its registry in silence.
     */
    static RedisRegistrySettings parse(URL url, String what) {
        try {
            return SettingsParser.parse(address(url));
        } catch (InvalidSettingException e) {
            String message = e.getMessage() + " (" + what + " " + safe(url) + ")";
            if (dubboChecks(url)) {
                throw new IllegalStateException(message, e);
            }
            throw new InvalidRegistryConfigurationError(message, e);
        }
    }

    /** The registry URL without user information or parameters, for messages. */
    static String safe(URL url) {
        return url.getProtocol() + "://" + url.getAddress();
    }
}
