package io.github.dubboredis.dubbo;

import org.apache.dubbo.common.beans.factory.ScopeBeanFactory;
import org.apache.dubbo.common.resource.Disposable;
import org.apache.dubbo.rpc.model.ApplicationModel;

import io.github.dubboredis.internal.lettuce.LettuceRuntime;

/**
 * The Redis connections and threads of one Dubbo application: a bean of its {@link ApplicationModel}, created
 * on first use by any of the registry's extensions (registry, service discovery, metadata and configuration
 * centres share it) and closed when Dubbo destroys the application, after its registries, discoveries,
 * metadata reports and configuration centre. As Dubbo's own ZooKeeper support does, per application: stopping
 * one application releases its connections while others in the JVM keep theirs.
 */
public final class ApplicationRuntime implements Disposable {

    private final LettuceRuntime runtime;

    /** Dubbo instantiates the bean with its application model (constructor injection works in 3.2 and 3.3). */
    public ApplicationRuntime(ApplicationModel application) {
        String name = application.tryGetApplicationName();
        this.runtime = new LettuceRuntime(name == null || name.isBlank() ? "app" : name.replaceAll("[^A-Za-z0-9._-]", "_"));
    }

    /** The runtime of an application, created on first use. */
    static LettuceRuntime of(ApplicationModel application) {
        ScopeBeanFactory beans = application.getBeanFactory();
        if (beans.isDestroyed()) {
            throw new IllegalStateException("Dubbo application " + application.getDesc() + " is destroyed");
        }
        return beans.getOrRegisterBean(ApplicationRuntime.class).runtime;
    }

    @Override
    public void destroy() {
        runtime.close();
    }
}
