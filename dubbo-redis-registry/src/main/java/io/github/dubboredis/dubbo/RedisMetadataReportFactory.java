package io.github.dubboredis.dubbo;

import org.apache.dubbo.common.URL;
import org.apache.dubbo.metadata.report.MetadataReport;
import org.apache.dubbo.metadata.report.support.AbstractMetadataReportFactory;
import org.apache.dubbo.rpc.model.ApplicationModel;

import io.github.dubboredis.config.RedisRegistrySettings;

/**
 * The {@code redis} extension of Dubbo's {@code MetadataReportFactory} SPI. Its presence is what makes
 * Dubbo use a {@code redis://} registry as metadata centre too, with no configuration.
 */
public class RedisMetadataReportFactory extends AbstractMetadataReportFactory {

    private final ApplicationModel application;

    /** Dubbo passes the application model (constructor injection, in Dubbo 3.2 and 3.3). */
    public RedisMetadataReportFactory(ApplicationModel application) {
        this.application = application;
    }

    @Override
    protected MetadataReport createMetadataReport(URL url) {
        RedisRegistrySettings settings = DubboSettings.parse(url, "metadata report");
        return RedisMetadataReport.open(url, settings, application);
    }
}
