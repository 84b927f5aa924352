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
            throw cannotStart("Redis registry", settings, e);
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

    /** Why a Redis-backed part of Dubbo could not start, naming it and, where waiting would help, check=false. */
    static IllegalStateException cannotStart(String what, RedisRegistrySettings settings, RedisAccessException e) {
        boolean retryHelps = !(e instanceof RedisAccessException.AuthenticationFailed
                || e instanceof RedisAccessException.Misconfigured);
        return new IllegalStateException(what + " " + settings.connection().describe() + " cannot start: " + e.getMessage()
                + (retryHelps ? " (with check=false the application starts anyway and connects when Redis comes)" : ""), e);
    }
}
