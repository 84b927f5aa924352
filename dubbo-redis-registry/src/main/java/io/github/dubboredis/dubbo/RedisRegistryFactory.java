package io.github.dubboredis.dubbo;

import org.apache.dubbo.common.URL;
import org.apache.dubbo.registry.Registry;
import org.apache.dubbo.registry.support.AbstractRegistryFactory;

import io.github.dubboredis.internal.engine.RegistryEngine;

/**
 * The {@code redis} extension of Dubbo's {@code RegistryFactory} SPI: what Dubbo calls for
 * {@code dubbo.registry.address=redis://host:6379}. Settings are read and checked here, once, and the
 * connection is opened before the registry exists, so a registry is never half-built.
 */
public class RedisRegistryFactory extends AbstractRegistryFactory {

    @Override
    protected Registry createRegistry(URL url) {
        RegistryEngine engine = RegistryEngines.open(url, applicationModel, "interface");
        try {
            return new RedisRegistry(url, engine);
        } catch (RuntimeException e) {
            engine.close();
            throw e;
        }
    }
}
