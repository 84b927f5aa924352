package io.github.dubboredis.support;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

import org.apache.dubbo.common.URL;

import io.github.dubboredis.config.RedisRegistrySettings;
import io.github.dubboredis.config.RegistryAddress;
import io.github.dubboredis.config.SettingsParser;
import io.github.dubboredis.internal.engine.RegistryEngine;
import io.github.dubboredis.internal.lettuce.LettuceRuntime;
import io.github.dubboredis.internal.report.RegistryObserver;

/**
 * Engines without Dubbo, each on a runtime of its own (as if in a separate process), on real Redis; all closed
 * at the end of a test.
 */
public final class Engines implements AutoCloseable {

    private final List<LettuceRuntime> runtimes = new ArrayList<>();
    private final List<RegistryEngine> engines = new ArrayList<>();

    /** Settings from a registry address as a user writes it, e.g. {@code redis://127.0.0.1:6379?session=2000}. */
    public static RedisRegistrySettings settings(String address) {
        URL url = URL.valueOf(address.contains("://") ? address : "redis://" + address);
        return SettingsParser.parse(new RegistryAddress(url.getHost(), url.getPort(), url.getUsername(), url.getPassword(),
                url.getParameters()));
    }

    public RegistryEngine open(RedisRegistrySettings settings) {
        return open(settings, RegistryObserver.NONE, System::currentTimeMillis);
    }

    public RegistryEngine open(RedisRegistrySettings settings, RegistryObserver observer, LongSupplier wallClock) {
        LettuceRuntime runtime = new LettuceRuntime("test-" + runtimes.size());
        runtimes.add(runtime);
        RegistryEngine engine = RegistryEngine.open(settings, runtime.acquire(settings.connection(), settings.check()),
                observer, wallClock);
        engines.add(engine);
        return engine;
    }

    @Override
    public void close() {
        for (RegistryEngine e : engines) {
            e.close();
        }
        for (LettuceRuntime r : runtimes) {
            r.close();
        }
    }
}
