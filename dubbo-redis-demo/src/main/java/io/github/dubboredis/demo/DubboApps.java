package io.github.dubboredis.demo;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.dubbo.common.URL;
import org.apache.dubbo.config.ApplicationConfig;
import org.apache.dubbo.config.MetricsConfig;
import org.apache.dubbo.config.ProtocolConfig;
import org.apache.dubbo.config.ReferenceConfig;
import org.apache.dubbo.config.RegistryConfig;
import org.apache.dubbo.config.ServiceConfig;
import org.apache.dubbo.config.bootstrap.DubboBootstrap;
import org.apache.dubbo.registry.client.migration.MigrationInvoker;
import org.apache.dubbo.rpc.Invoker;
import org.apache.dubbo.rpc.cluster.ClusterInvoker;
import org.apache.dubbo.rpc.model.FrameworkModel;

/**
 * Starts plain Dubbo 3.3 providers and consumers of {@link GreetingService} on a registry address,
 * each with a framework model of its own, so that several can share one JVM as if they were separate
 * processes (Dubbo's in-JVM shortcuts and registry caches are per framework model).
 */
public final class DubboApps {

    private static final String METRICS_ENABLE_REGISTRY = "metrics.enable-registry";
    /** The registry config's {@code check} (dubbo.registry.check), as opposed to a {@code check} in its address. */
    public static final String REGISTRY_CHECK = "registry.check";

    private DubboApps() {
    }

    /** A running provider: its name, port and bootstrap. */
    public record Provider(String name, int port, DubboBootstrap bootstrap) implements AutoCloseable {
        @Override
        public void close() {
            bootstrap.stop();
        }
    }

    /** A running consumer with its proxy. */
    public record Consumer(GreetingService service, ReferenceConfig<GreetingService> reference, DubboBootstrap bootstrap)
            implements AutoCloseable {

        /**
         * Which path the consumer's calls take now: {@code "application"} (Dubbo 3 service discovery) or
         * {@code "interface"}; null while it has not settled.
         */
        public String path() {
            Invoker<?> invoker = reference.getInvoker();
            if (!(invoker instanceof MigrationInvoker<?> migration) || migration.getCurrentAvailableInvoker() == null) {
                return null;
            }
            Object directory = migration.getCurrentAvailableInvoker().getDirectory();
            return directory instanceof org.apache.dubbo.registry.client.ServiceDiscoveryRegistryDirectory ? "application"
                    : directory instanceof org.apache.dubbo.registry.integration.RegistryDirectory ? "interface" : null;
        }

        /** The provider URLs the consumer's directory holds now: what the registry told it. */
        public List<URL> providerUrls() {
            Invoker<?> invoker = reference.getInvoker();
            if (invoker instanceof MigrationInvoker<?> migration) {
                ClusterInvoker<?> current = migration.getCurrentAvailableInvoker();
                invoker = current != null ? current : migration.getInvoker();
            }
            if (!(invoker instanceof ClusterInvoker<?> cluster) || cluster.getDirectory() == null) {
                return List.of();
            }
            List<URL> urls = new ArrayList<>();
            for (Invoker<?> i : cluster.getDirectory().getAllInvokers()) {
                urls.add(i.getUrl());
            }
            return urls;
        }

        @Override
        public void close() {
            bootstrap.stop();
        }
    }

    /**
     * @param registryAddress e.g. {@code redis://127.0.0.1:6379?session=5000}
     * @param settings extra application settings, e.g. {@code register-mode=interface}
     */
    public static Provider startProvider(String name, String registryAddress, int port, Map<String, String> settings) {
        DubboBootstrap bootstrap = DubboBootstrap.newInstance(new FrameworkModel());
        ServiceConfig<GreetingService> service = new ServiceConfig<>();
        service.setInterface(GreetingService.class);
        service.setRef(new GreetingServiceImpl(name));
        ProtocolConfig protocol = new ProtocolConfig("dubbo", port);
        bootstrap.application(application(name, settings))
                .registry(registry(registryAddress, settings))
                .protocol(protocol)
                .service(service);
        metrics(bootstrap, settings);
        bootstrap.start();
        return new Provider(name, port, bootstrap);
    }

    public static Consumer startConsumer(String name, String registryAddress, Map<String, String> settings) {
        DubboBootstrap bootstrap = DubboBootstrap.newInstance(new FrameworkModel());
        ReferenceConfig<GreetingService> reference = new ReferenceConfig<>();
        reference.setInterface(GreetingService.class);
        reference.setCheck(false);
        reference.setTimeout(3000);
        bootstrap.application(application(name, settings))
                .registry(registry(registryAddress, settings))
                .reference(reference);
        metrics(bootstrap, settings);
        bootstrap.start();
        return new Consumer(reference.get(), reference, bootstrap);
    }

    /** {@code metrics.enable-registry=true} turns on Dubbo's own registry metrics (off by default in Dubbo). */
    private static void metrics(DubboBootstrap bootstrap, Map<String, String> settings) {
        if (Boolean.parseBoolean(settings.get(METRICS_ENABLE_REGISTRY))) {
            MetricsConfig metrics = new MetricsConfig();
            metrics.setEnableRegistry(true);
            bootstrap.metrics(metrics);
        }
    }

    private static ApplicationConfig application(String name, Map<String, String> settings) {
        ApplicationConfig app = new ApplicationConfig(name);
        app.setQosEnable(false);
        Map<String, String> s = new LinkedHashMap<>(settings);
        s.remove(METRICS_ENABLE_REGISTRY);
        s.remove(REGISTRY_CHECK);
        String registerMode = s.remove("register-mode");
        if (registerMode != null) {
            app.setRegisterMode(registerMode);
        }
        String metadataType = s.remove("metadata-type");
        if (metadataType != null) {
            app.setMetadataType(metadataType);
        }
        String step = s.remove("migration.step");
        if (step != null) {
            Map<String, String> parameters = new LinkedHashMap<>();
            parameters.put("migration.step", step);
            app.setParameters(parameters);
        }
        if (!s.isEmpty()) {
            throw new IllegalArgumentException("unknown application settings " + s.keySet());
        }
        return app;
    }

    private static RegistryConfig registry(String address, Map<String, String> settings) {
        RegistryConfig registry = new RegistryConfig(address);
        if (settings.containsKey(REGISTRY_CHECK)) {
            registry.setCheck(Boolean.parseBoolean(settings.get(REGISTRY_CHECK)));
        }
        // Tests and the demo must see the registry itself, not a copy cached on disk from an earlier run.
        Map<String, String> parameters = new LinkedHashMap<>();
        parameters.put("file-cache", "false");
        registry.setParameters(parameters);
        return registry;
    }
}
