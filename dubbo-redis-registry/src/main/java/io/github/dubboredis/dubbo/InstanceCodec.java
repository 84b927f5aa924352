package io.github.dubboredis.dubbo;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

import org.apache.dubbo.common.utils.JsonUtils;
import org.apache.dubbo.registry.client.DefaultServiceInstance;
import org.apache.dubbo.registry.client.ServiceInstance;
import org.apache.dubbo.rpc.model.ApplicationModel;

/**
 * An application instance as it is stored: a small JSON object with the fields that Dubbo's
 * {@code ServiceInstance} carries across processes (name, host, port, enabled, healthy, metadata), in a
 * fixed order with sorted metadata, so that the same instance always gives the same string. Not the Java
 * object itself: its getters reach into models and caches.
 */
final class InstanceCodec {

    private InstanceCodec() {
    }

    static String encode(ServiceInstance instance) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("serviceName", instance.getServiceName());
        json.put("host", instance.getHost());
        json.put("port", instance.getPort());
        json.put("enabled", instance.isEnabled());
        json.put("healthy", instance.isHealthy());
        json.put("metadata", new TreeMap<>(instance.getMetadata()));
        return JsonUtils.toJson(json);
    }

    /** The identity of an instance within its application: host and port. */
    static String id(ServiceInstance instance) {
        return instance.getHost() + ":" + instance.getPort();
    }

    /**
     * @throws IllegalArgumentException when the text is not an instance written by {@link #encode}
     */
    static ServiceInstance decode(String text, ApplicationModel applicationModel) {
        Map<?, ?> json;
        try {
            json = JsonUtils.toJavaObject(text, Map.class);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not JSON: " + e.getMessage());
        }
        if (json == null || !(json.get("serviceName") instanceof String name) || !(json.get("host") instanceof String host)
                || !(json.get("port") instanceof Number port)) {
            throw new IllegalArgumentException("not an instance (serviceName, host and port are required)");
        }
        DefaultServiceInstance instance = new DefaultServiceInstance(name, host, port.intValue(), applicationModel);
        instance.setEnabled(!Boolean.FALSE.equals(json.get("enabled")));
        instance.setHealthy(!Boolean.FALSE.equals(json.get("healthy")));
        Map<String, String> metadata = new LinkedHashMap<>();
        if (json.get("metadata") instanceof Map<?, ?> m) {
            m.forEach((k, v) -> metadata.put(String.valueOf(k), v == null ? null : String.valueOf(v)));
        }
        instance.setMetadata(metadata);
        return instance;
    }
}
