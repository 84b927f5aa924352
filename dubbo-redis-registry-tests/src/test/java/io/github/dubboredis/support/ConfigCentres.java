package io.github.dubboredis.support;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.dubbo.common.URL;
import org.apache.dubbo.common.config.configcenter.ConfigChangedEvent;
import org.apache.dubbo.common.config.configcenter.ConfigurationListener;
import org.apache.dubbo.common.config.configcenter.DynamicConfiguration;
import org.apache.dubbo.common.config.configcenter.DynamicConfigurationFactory;
import org.apache.dubbo.config.ConfigCenterConfig;
import org.apache.dubbo.rpc.model.ApplicationModel;
import org.apache.dubbo.rpc.model.FrameworkModel;

import io.github.dubboredis.dubbo.RedisDynamicConfiguration;

/**
 * Creates configuration centres the way Dubbo does (the {@code redis} extension, by SPI, with the URL
 * {@code ConfigCenterConfig} makes), each in an application of its own as if in a separate process; closes them all
 * at the end of a test.
 */
public final class ConfigCentres implements AutoCloseable {

    /** What {@code ConfigCenterConfig.toUrl()} puts on every centre's URL by default. */
    public static final String DUBBO_DEFAULTS = "check=true&config-file=dubbo.properties&group=dubbo&namespace=dubbo&timeout=30000";

    private final List<DynamicConfiguration> created = new ArrayList<>();
    private final List<FrameworkModel> models = new ArrayList<>();

    /** A centre for {@code redis://<address>} with Dubbo's default parameters, then {@code parameters}. */
    public RedisDynamicConfiguration create(String address, String parameters) {
        FrameworkModel framework = new FrameworkModel();
        models.add(framework);
        return createIn(framework.newApplication(), address, parameters);
    }

    /** A centre in the given application (which may have registries on the same Redis). */
    public RedisDynamicConfiguration createIn(ApplicationModel app, String address, String parameters) {
        URL url = URL.valueOf("redis://" + address + "/" + ConfigCenterConfig.class.getName() + "?" + DUBBO_DEFAULTS
                + (parameters == null || parameters.isEmpty() ? "" : "&" + parameters)).setScopeModel(app);
        DynamicConfiguration c = app.getExtensionLoader(DynamicConfigurationFactory.class).getExtension("redis")
                .getDynamicConfiguration(url);
        created.add(c);
        return (RedisDynamicConfiguration) c;
    }

    @Override
    public void close() {
        for (DynamicConfiguration c : created) {
            try {
                c.close();
            } catch (Exception ignored) {
                // closed already
            }
        }
        for (FrameworkModel m : models) {
            m.destroy();
        }
    }

    /** A listener that records every event it hears. */
    public static class Events implements ConfigurationListener {
        private final List<ConfigChangedEvent> heard = new CopyOnWriteArrayList<>();

        @Override
        public void process(ConfigChangedEvent event) {
            heard.add(event);
        }

        public List<ConfigChangedEvent> all() {
            return List.copyOf(heard);
        }

        /** Each event as {@code TYPE content}. */
        public List<String> said() {
            return heard.stream().map(e -> e.getChangeType() + " " + e.getContent()).toList();
        }

        public int count() {
            return heard.size();
        }
    }
}
