package io.github.dubboredis.dubbo;

import org.apache.dubbo.common.URL;
import org.apache.dubbo.metadata.report.MetadataReport;
import org.apache.dubbo.metadata.report.support.AbstractMetadataReportFactory;

import io.github.dubboredis.config.InvalidSettingException;
import io.github.dubboredis.config.RedisRegistrySettings;
import io.github.dubboredis.config.RegistryUrlParser;

/**
 * The {@code redis} extension of Dubbo's {@code MetadataReportFactory} SPI. Its presence is what makes
 * Dubbo use a {@code redis://} registry as metadata centre too, with no configuration.
 */
public class RedisMetadataReportFactory extends AbstractMetadataReportFactory {

    @Override
    protected MetadataReport createMetadataReport(URL url) {
        RedisRegistrySettings settings;
        try {
            settings = RegistryUrlParser.parse(url);
        } catch (InvalidSettingException e) {
            throw new IllegalArgumentException(e.getMessage() + " (metadata report " + RedisRegistryFactory.safe(url) + ")", e);
        }
        return RedisMetadataReport.open(url, settings);
    }
}
