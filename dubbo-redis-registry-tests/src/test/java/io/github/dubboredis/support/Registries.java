package io.github.dubboredis.support;

import java.util.ArrayList;
import java.util.List;

import org.apache.dubbo.common.URL;
import org.apache.dubbo.config.ApplicationConfig;
import org.apache.dubbo.registry.ListenerRegistryWrapper;
import org.apache.dubbo.registry.Registry;
import org.apache.dubbo.registry.RegistryFactory;
import org.apache.dubbo.rpc.model.ApplicationModel;
import org.apache.dubbo.rpc.model.FrameworkModel;

import io.github.dubboredis.dubbo.RedisRegistry;

/**
 * Creates registries the way Dubbo does (the {@code redis} extension, by SPI), each in an application of
 * its own as if in a separate process, and destroys them all at the end of a test.
 */
public final class Registries implements AutoCloseable {

    private final List<Registry> created = new ArrayList<>();
    private final List<FrameworkModel> models = new ArrayList<>();

    /** A registry for {@code redis://<address>?<parameters>}; the local file cache is always off. */
    public RedisRegistry create(String address, String parameters) {
        FrameworkModel framework = new FrameworkModel();
        models.add(framework);
        ApplicationModel app = framework.newApplication();
        String query = "file-cache=false" + (parameters == null || parameters.isEmpty() ? "" : "&" + parameters);
        URL url = URL.valueOf("redis://" + address + "?" + query).setScopeModel(app);
        Registry registry = app.getExtensionLoader(RegistryFactory.class).getExtension("redis").getRegistry(url);
        created.add(registry);
        // Dubbo hands out its own wrapper around the extension; the test needs the registry inside.
        return (RedisRegistry) (registry instanceof ListenerRegistryWrapper w ? w.getRegistry() : registry);
    }

    /** Another registry in the same application as {@code sibling} (so on the same runtime), with its own parameters. */
    public RedisRegistry createBeside(RedisRegistry sibling, String address, String parameters) {
        ApplicationModel app = (ApplicationModel) sibling.getUrl().getScopeModel();
        String query = "file-cache=false" + (parameters == null || parameters.isEmpty() ? "" : "&" + parameters);
        URL url = URL.valueOf("redis://" + address + "?" + query).setScopeModel(app);
        Registry registry = app.getExtensionLoader(RegistryFactory.class).getExtension("redis").getRegistry(url);
        created.add(registry);
        return (RedisRegistry) (registry instanceof ListenerRegistryWrapper w ? w.getRegistry() : registry);
    }

    /** A Dubbo application of its own (in a framework model of its own), destroyed with the others. */
    public ApplicationModel newApplication(String name) {
        FrameworkModel framework = new FrameworkModel();
        models.add(framework);
        ApplicationModel app = framework.newApplication();
        app.getApplicationConfigManager().setApplication(new ApplicationConfig(name));
        return app;
    }

    /** A URL in the application of the given registry. */
    public static URL url(RedisRegistry registry, String url) {
        return URL.valueOf(url).setScopeModel(registry.getUrl().getScopeModel());
    }

    @Override
    public void close() {
        for (Registry r : created) {
            try {
                r.destroy();
            } catch (RuntimeException ignored) {
                // destroyed already, or Redis is gone: nothing left to release
            }
        }
        for (FrameworkModel m : models) {
            m.destroy();
        }
    }
}
