package io.github.dubboredis.dubbo;

import static org.apache.dubbo.common.constants.CommonConstants.CHECK_KEY;
import static org.apache.dubbo.common.constants.CommonConstants.COMMA_SPLIT_PATTERN;
import static org.apache.dubbo.common.constants.CommonConstants.REGISTRY_SPLIT_PATTERN;
import static org.apache.dubbo.common.constants.RegistryConstants.REGISTRY_CLUSTER_KEY;

import java.util.Collection;
import java.util.List;

import org.apache.dubbo.common.URL;
import org.apache.dubbo.config.RegistryConfig;
import org.apache.dubbo.rpc.model.ApplicationModel;
import org.apache.dubbo.rpc.model.ModuleModel;

import io.github.dubboredis.config.InvalidSettingException;
import io.github.dubboredis.config.RedisRegistrySettings;
import io.github.dubboredis.config.RegistryAddress;
import io.github.dubboredis.config.SettingsParser;

/** Reads a Dubbo registry URL into the registry's settings: the only place that knows both. */
final class DubboSettings {

    /** What {@code UrlUtils.parseURL} gives a registry address without a port. */
    private static final int DUBBO_DEFAULT_REGISTRY_PORT = 9090;

    private DubboSettings() {
    }

    static RegistryAddress address(URL url) {
        return new RegistryAddress(url.getHost(), writtenPort(url), url.getUsername(), url.getPassword(),
                url.getParameters());
    }

    /**
     * The port the user wrote, 0 when none (then the registry uses 6379). Dubbo gives every registry address
     * without a port the port 9090 before a registry sees it ({@code UrlUtils.parseURL}), so 9090 is told apart by
     * the registry's own configuration: the address as written and its {@code port} property.
     */
    static int writtenPort(URL url) {
        if (url.getPort() != DUBBO_DEFAULT_REGISTRY_PORT) {
            return url.getPort();
        }
        ApplicationModel application = url.getScopeModel() instanceof ModuleModel module ? module.getApplicationModel()
                : url.getScopeModel() instanceof ApplicationModel app ? app : null;
        if (application == null) {
            return url.getPort();
        }
        Collection<RegistryConfig> registries = application.getApplicationConfigManager().getRegistries();
        String id = url.getParameter(REGISTRY_CLUSTER_KEY);
        List<RegistryConfig> named = registries.stream().filter(r -> id != null && id.equals(r.getId())).toList();
        boolean portless = (named.isEmpty() ? registries : named).stream()
                .anyMatch(r -> (r.getPort() == null || r.getPort() <= 0) && firstAddressWithoutPort(r.getAddress(), url.getHost()));
        return portless ? 0 : url.getPort();
    }

    /**
     * Whether a part of Dubbo that Dubbo made from a registry (the metadata report, the configuration centre) must
     * follow that registry's {@code check=false}: its URL names no {@code check} of its own, and a registry on the
     * same Redis was configured {@code check=false}. Dubbo copies neither the registry's {@code check} nor an
     * explicit one, so without this an application that asked to start without Redis would still fail to start.
     */
    static boolean followsUncheckedRegistry(URL url, ApplicationModel application) {
        if (url.hasParameter(CHECK_KEY) || application == null) {
            return false;
        }
        for (RegistryConfig r : application.getApplicationConfigManager().getRegistries()) {
            if (!Boolean.FALSE.equals(r.isCheck()) || r.getAddress() == null || r.getAddress().isBlank()) {
                continue;
            }
            try {
                String first = REGISTRY_SPLIT_PATTERN.split(r.getAddress().trim())[0];
                URL registry = URL.valueOf(first.contains("://") ? first : COMMA_SPLIT_PATTERN.split(first)[0]);
                if (url.getHost() != null && url.getHost().equals(registry.getHost())
                        && writtenPort(url) == registry.getPort()) {
                    return true;
                }
            } catch (RuntimeException unparsable) {
                // an address Dubbo could not have made anything of either
            }
        }
        return false;
    }

    /** Whether the first address of a registry's address string is this host, written without a port. */
    private static boolean firstAddressWithoutPort(String address, String host) {
        if (address == null || address.isBlank()) {
            return false;
        }
        String first = REGISTRY_SPLIT_PATTERN.split(address.trim())[0];
        if (!first.contains("://")) {
            first = COMMA_SPLIT_PATTERN.split(first)[0];
        }
        try {
            URL written = URL.valueOf(first);
            return written.getPort() == 0 && host != null && host.equals(written.getHost());
        } catch (RuntimeException unparsable) {
            return false; // Dubbo parsed it into the URL we hold; a form we cannot read keeps Dubbo's port
        }
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
