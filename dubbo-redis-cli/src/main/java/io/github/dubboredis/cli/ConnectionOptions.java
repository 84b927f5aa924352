package io.github.dubboredis.cli;

import org.apache.dubbo.common.URL;

import io.github.dubboredis.config.InvalidSettingException;
import io.github.dubboredis.config.RedisRegistrySettings;
import io.github.dubboredis.config.RegistryUrlParser;
import io.github.dubboredis.redis.RedisStores;
import io.github.dubboredis.registry.RegistryInspector;
import io.github.dubboredis.registry.RegistryRoot;
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

    RedisRegistrySettings settings() {
        String a = address.contains("://") ? address : "redis://" + address;
        URL url = URL.valueOf(a);
        String password = System.getenv(passwordVariable);
        if (password != null && !password.isEmpty()) {
            url = url.setUsername(username != null ? username : url.getUsername() != null ? url.getUsername() : "default")
                    .setPassword(password);
        } else if (username != null) {
            url = url.setUsername(username);
        }
        return RegistryUrlParser.parse(url.addParameter("check", "true"));
    }

    /** An open connection to the registry's Redis; close it when done. */
    Session open() {
        RedisRegistrySettings settings = settings();
        RedisStores.Handle handle = RedisStores.acquire(settings.connection(), true);
        return new Session(settings, handle, new RegistryInspector(handle.store(), new RegistryRoot(settings.root())));
    }

    record Session(RedisRegistrySettings settings, RedisStores.Handle handle, RegistryInspector inspector)
            implements AutoCloseable {
        @Override
        public void close() {
            handle.release();
        }
    }

    /** Whether a failure is about the settings (exit 2) rather than Redis (exit 3). */
    static boolean isSettingsProblem(Throwable t) {
        return t instanceof InvalidSettingException || t instanceof IllegalArgumentException;
    }
}
