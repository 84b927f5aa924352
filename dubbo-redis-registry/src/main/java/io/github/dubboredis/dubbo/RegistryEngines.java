package io.github.dubboredis.dubbo;

import org.apache.dubbo.common.URL;
import org.apache.dubbo.rpc.model.ApplicationModel;

import io.github.dubboredis.config.RedisRegistrySettings;
import io.github.dubboredis.internal.engine.RegistryEngine;
import io.github.dubboredis.internal.report.RegistryObserver;
import io.github.dubboredis.internal.store.RedisAccessException;
import io.github.dubboredis.internal.store.StoreHandle;

/**
 * Opens the engine behind a registry or a service discovery, on its application's runtime, with one clear
 * failure naming the setting or the Redis at fault: an {@link IllegalStateException} where Dubbo checks the
 * registry (as its own registries throw), and, where it does not, none for want of Redis (the registry starts
 * and keeps connecting) but {@link InvalidRegistryConfigurationError} for a setting that cannot be used.
 */
final class RegistryEngines {

    private RegistryEngines() {
    }

    static RegistryEngine open(URL url, ApplicationModel application, String level) {
        RedisRegistrySettings settings = DubboSettings.parse(url, level + "-level registry");
        boolean mustConnect = DubboSettings.dubboChecks(url);
        RegistryObserver meters = MetricsSupport.meters(application, settings.connection().describe(), level);
        RegistryObserver observer = RegistryObserver.all(java.util.List.of(new DubboRegistryLog(settings), meters));
        StoreHandle handle;
        try {
            handle = ApplicationRuntime.of(application).acquire(settings.connection(), mustConnect);
        } catch (RedisAccessException e) {
            meters.closed(); // no engine, so nobody else would take them out of the meter registry
            throw new IllegalStateException("Redis registry " + settings.connection().describe() + " cannot start: "
                    + e.getMessage() + portHint(url) + (e instanceof RedisAccessException.AuthenticationFailed
                            || e instanceof RedisAccessException.Misconfigured
                            ? "" : " (with check=false the application starts anyway and the registry connects when Redis comes)"),
                    e);
        }
        RegistryEngine engine;
        try {
            engine = RegistryEngine.open(settings, handle, observer);
        } catch (RuntimeException e) {
            meters.closed();
            throw new IllegalStateException("Redis registry " + settings.connection().describe() + " cannot start: "
                    + e.getMessage(), e);
        }
        MetricsSupport.bind(meters, engine);
        return engine;
    }

    /** Dubbo gives a registry address without a port the port 9090 (its rule for every registry): say so. */
    private static String portHint(URL url) {
        return url.getPort() == 9090 ? "; if the address had no port, Dubbo gave it 9090: write the port, e.g. "
                + "redis://host:6379" : "";
    }
}
