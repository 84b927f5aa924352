package io.github.dubboredis.cli;

import org.apache.dubbo.common.URL;

import io.github.dubboredis.config.InvalidSettingException;
import io.github.dubboredis.config.RedisRegistrySettings;
import io.github.dubboredis.config.RegistryAddress;
import io.github.dubboredis.config.SettingsParser;
import io.github.dubboredis.inspect.OperatorSession;
import picocli.CommandLine.Option;

/**
 * How to reach the registry: the very address an application has in {@code dubbo.registry.address},
 * with any registry parameter (backup, group, cluster, redis-client, master.name, database, tls.* ...).
 * The password is best given through an environment variable; it is never printed.
 */
final class ConnectionOptions {

    @Option(names = {"-a", "--address"}, defaultValue = "redis://127.0.0.1:6379", paramLabel = "ADDRESS",
            description = "The registry address, as in dubbo.registry.address, e.g. "
                    + "redis://h1:6379?backup=h2:6379&group=dubbo (default: ${DEFAULT-VALUE}).")
    String address;

    @Option(names = "--username", description = "ACL user name.")
    String username;

    @Option(names = "--password-env", defaultValue = "DUBBO_REDIS_PASSWORD", paramLabel = "VARIABLE",
            description = "Environment variable holding the password (default: ${DEFAULT-VALUE}).")
    String passwordVariable;

    @Option(names = "--json", description = "Print JSON instead of tables.")
    boolean json;

    /** The settings the address gives, read as the registry reads them (Dubbo's URL parsing, then the registry's checks). */
    RedisRegistrySettings settings() {
        String a = address.contains("://") ? address : "redis://" + address;
        URL url = URL.valueOf(a);
        String user = username != null ? username : url.getUsername();
        String password = url.getPassword();
        String fromEnvironment = System.getenv(passwordVariable);
        if (fromEnvironment != null && !fromEnvironment.isEmpty()) {
            password = fromEnvironment;
            user = user != null ? user : "default";
        }
        return SettingsParser.parse(new RegistryAddress(url.getHost(), url.getPort(), user, password, url.getParameters()));
    }

    /** An open session on the registry's Redis; close it when done. */
    OperatorSession open() {
        return OperatorSession.open(settings(), "cli");
    }

    /** Whether a failure is about the settings (exit 2) rather than Redis (exit 3). */
    static boolean isSettingsProblem(Throwable t) {
        return t instanceof InvalidSettingException || t instanceof IllegalArgumentException;
    }
}
