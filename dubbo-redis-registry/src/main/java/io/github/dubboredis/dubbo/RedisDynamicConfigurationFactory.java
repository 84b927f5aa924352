package io.github.dubboredis.dubbo;

import org.apache.dubbo.common.URL;
import org.apache.dubbo.common.config.configcenter.AbstractDynamicConfigurationFactory;
import org.apache.dubbo.common.config.configcenter.DynamicConfiguration;
import org.apache.dubbo.rpc.model.ApplicationModel;

/**
 * The {@code redis} extension of Dubbo's {@code DynamicConfigurationFactory} SPI: what Dubbo calls for
 * {@code dubbo.config-center.address=redis://host:6379}, and, because it exists, for every {@code redis://}
 * registry when no configuration centre is configured (Dubbo's "registry as configuration centre" default;
 * {@code dubbo.registry.use-as-config-center=false} turns that off).
 */
public class RedisDynamicConfigurationFactory extends AbstractDynamicConfigurationFactory {

    private final ApplicationModel application;

    /** Dubbo passes the application model (constructor injection, in Dubbo 3.2 and 3.3). */
    public RedisDynamicConfigurationFactory(ApplicationModel application) {
        this.application = application;
    }

    @Override
    protected DynamicConfiguration createDynamicConfiguration(URL url) {
        return RedisDynamicConfiguration.open(url, application);
    }
}
