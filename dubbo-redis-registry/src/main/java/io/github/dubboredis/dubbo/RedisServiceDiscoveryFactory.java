package io.github.dubboredis.dubbo;

import org.apache.dubbo.common.URL;
import org.apache.dubbo.registry.client.AbstractServiceDiscoveryFactory;
import org.apache.dubbo.registry.client.ServiceDiscovery;

import io.github.dubboredis.internal.engine.RegistryEngine;

/**
 * The {@code redis} extension of Dubbo's {@code ServiceDiscoveryFactory} SPI. Without it Dubbo would
 * silently use a discovery that does nothing for {@code redis://} addresses.
 */
public class RedisServiceDiscoveryFactory extends AbstractServiceDiscoveryFactory {

    @Override
    protected ServiceDiscovery createDiscovery(URL registryURL) {
        RegistryEngine engine = RegistryEngines.open(registryURL, applicationModel, "application");
        try {
            return new RedisServiceDiscovery(applicationModel, registryURL, engine);
        } catch (RuntimeException e) {
            engine.close();
            throw e;
        }
    }
}
