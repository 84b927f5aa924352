package io.github.dubboredis.legacy.bench;

import java.util.Map;

import org.apache.dubbo.common.URL;
import org.apache.dubbo.registry.Registry;

/**
 * A registry implementation under test, as the scenarios see it. The scenarios use only
 * {@link Registry#register}, {@code unregister}, {@code subscribe}, {@code destroy}, and {@link URL#getParameter}
 * and {@link URL#getProtocol}: signatures that Dubbo 2.7 and Dubbo 3.3 share, so that the very same compiled
 * scenario code drives Dubbo 2.7's Redis registry in its own JVM and Dubbo 3.3's registries in the benchmark JVM.
 */
public interface RegistryTarget {

    /** {@code ours}, {@code zookeeper} or {@code legacy}. */
    String name();

    ServerOps server();

    /**
     * A new registry instance, as if in a process of its own (its own connections and sessions).
     *
     * @param params extra registry URL parameters (e.g. {@code session}); keys starting with {@code bench.}
     *     are hints to the target (e.g. {@code bench.subscriptions}) and never reach the URL
     */
    Registry create(String role, int instance, Map<String, String> params);

    /** A URL for calls on that registry (Dubbo 3 URLs carry the registry's application). */
    URL url(Registry registry, String url);

    /** Destroys a registry and whatever was created with it; bounded in time. */
    void destroy(Registry registry);

    /** How often a registry of this kind renews its entries (or pings its session), for a session length. */
    long renewPeriodMillis(long sessionMillis);

    /** How this kind renews, in a sentence for the report. */
    String renewalNote();
}
