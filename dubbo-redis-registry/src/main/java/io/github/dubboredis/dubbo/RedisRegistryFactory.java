package io.github.dubboredis.dubbo;

import org.apache.dubbo.common.URL;
import org.apache.dubbo.registry.Registry;
import org.apache.dubbo.registry.support.AbstractRegistryFactory;

import io.github.dubboredis.config.InvalidSettingException;
import io.github.dubboredis.config.RedisRegistrySettings;
import io.github.dubboredis.config.RegistryUrlParser;
import io.github.dubboredis.redis.RedisAccessException;
import io.github.dubboredis.registry.RegistryEngine;
import io.github.dubboredis.registry.RegistryObserver;

/**
 * The {@code redis} extension of Dubbo's {@code RegistryFactory} SPI: what Dubbo calls for
 * {@code dubbo.registry.address=redis://host:6379}. Settings are read and checked here, once, and the
 * connection is opened before the registry exists, so a registry is never half-built.
 */
public class RedisRegistryFactory extends AbstractRegistryFactory {

    @Override
    protected Registry createRegistry(URL url) {
        RegistryEngine engine = openEngine(url, "interface");
        try {
            return new RedisRegistry(url, engine);
        } catch (RuntimeException e) {
            engine.close();
            throw e;
        }
    }

    /**
     * Reads the settings of a registry URL and opens its engine, failing with one clear message naming the
     * setting or the Redis at fault. Shared by the interface-level registry and the service discovery.
     */
    static RegistryEngine openEngine(URL url, String level) {
        RedisRegistrySettings settings;
        try {
            settings = RegistryUrlParser.parse(url);
        } catch (InvalidSettingException e) {
            throw new IllegalArgumentException(e.getMessage() + " (registry " + safe(url) + ")", e);
        }
        RegistryEngine engine;
        RegistryObserver meters = MetricsSupport.meters(url.getOrDefaultApplicationModel(), settings.connection().describe(), level);
        try {
            engine = RegistryEngine.open(settings, RegistryObserver.both(new DubboRegistryLog(settings), meters));
        } catch (RuntimeException e) {
            meters.closed(); // no engine, so nobody else would take them out of the meter registry
            if (e instanceof InvalidSettingException) {
                throw new IllegalArgumentException(e.getMessage() + " (registry " + safe(url) + ")", e);
            }
            if (e instanceof RedisAccessException) {
                throw new IllegalStateException("Redis registry " + settings.connection().describe()
                        + " cannot start: " + e.getMessage()
                        + (e instanceof RedisAccessException.AuthenticationFailed || e instanceof RedisAccessException.Misconfigured
                                ? "" : " (with check=false the application starts anyway and the registry connects when Redis comes)"),
                        e);
            }
            throw e;
        }
        MetricsSupport.bind(meters, engine);
        return engine;
    }

    /** The registry URL without user information, for messages. */
    static String safe(URL url) {
        return url.getProtocol() + "://" + url.getAddress();
    }
}
