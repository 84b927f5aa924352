package io.github.dubboredis.it.governance;

import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.dubbo.config.ApplicationConfig;
import org.apache.dubbo.config.ProtocolConfig;
import org.apache.dubbo.config.ReferenceConfig;
import org.apache.dubbo.config.RegistryConfig;
import org.apache.dubbo.config.ServiceConfig;
import org.apache.dubbo.config.bootstrap.DubboBootstrap;
import org.apache.dubbo.rpc.model.FrameworkModel;

import io.github.dubboredis.demo.GreetingService;
import io.github.dubboredis.demo.GreetingServiceImpl;

/**
 * Applications for governance tests, each with a framework model of its own (as separate processes), on the
 * interface-level path and the registry as configuration centre (Dubbo's default: no centre configured). The
 * providers are instances of one application, as tag routing requires; the consumer balances round robin, so
 * that before a rule its calls alternate between the providers and the first call that obeys a rule is known
 * to the call.
 */
final class GovernanceApps {

    static final String PROVIDER_APP = "gov-provider";
    static final String CONSUMER_APP = "gov-consumer";

    private GovernanceApps() {
    }

    /** An instance of {@value #PROVIDER_APP}; its greetings say {@code instance}. */
    static DubboBootstrap provider(String instance, String registry, int port) {
        DubboBootstrap bootstrap = DubboBootstrap.newInstance(new FrameworkModel());
        ServiceConfig<GreetingService> service = new ServiceConfig<>();
        service.setInterface(GreetingService.class);
        service.setRef(new GreetingServiceImpl(instance));
        bootstrap.application(application(PROVIDER_APP)).registry(registry(registry)).protocol(new ProtocolConfig("dubbo", port))
                .service(service).start();
        return bootstrap;
    }

    record Consumer(GreetingService service, DubboBootstrap bootstrap) {
    }

    static Consumer consumer(String registry) {
        DubboBootstrap bootstrap = DubboBootstrap.newInstance(new FrameworkModel());
        ReferenceConfig<GreetingService> reference = new ReferenceConfig<>();
        reference.setInterface(GreetingService.class);
        reference.setCheck(false);
        reference.setTimeout(3000);
        reference.setLoadbalance("roundrobin");
        bootstrap.application(application(CONSUMER_APP)).registry(registry(registry)).reference(reference).start();
        return new Consumer(reference.get(), bootstrap);
    }

    private static ApplicationConfig application(String name) {
        ApplicationConfig app = new ApplicationConfig(name);
        app.setQosEnable(false);
        app.setRegisterMode("interface");
        Map<String, String> parameters = new LinkedHashMap<>();
        parameters.put("migration.step", "FORCE_INTERFACE");
        app.setParameters(parameters);
        return app;
    }

    private static RegistryConfig registry(String address) {
        RegistryConfig registry = new RegistryConfig(address);
        Map<String, String> parameters = new LinkedHashMap<>();
        parameters.put("file-cache", "false");
        registry.setParameters(parameters);
        return registry;
    }
}
