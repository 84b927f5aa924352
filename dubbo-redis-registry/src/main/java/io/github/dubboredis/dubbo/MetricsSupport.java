package io.github.dubboredis.dubbo;

import org.apache.dubbo.rpc.model.ApplicationModel;

import io.github.dubboredis.internal.engine.RegistryEngine;
import io.github.dubboredis.internal.report.RegistryObserver;

/** Whether Micrometer is there; the only place that may touch {@link RegistryMeters} without knowing. */
final class MetricsSupport {

    private static final boolean AVAILABLE = present("io.micrometer.core.instrument.MeterRegistry")
            && present("org.apache.dubbo.metrics.MetricsGlobalRegistry");

    private MetricsSupport() {
    }

    static boolean available() {
        return AVAILABLE;
    }

    /** The registry's meters as an observer, or {@link RegistryObserver#NONE} without Micrometer. */
    static RegistryObserver meters(ApplicationModel application, String redis, String level) {
        return AVAILABLE ? RegistryMeters.forApplication(application, redis, level) : RegistryObserver.NONE;
    }

    /** Gives the meters the engine they read gauges from. */
    static void bind(RegistryObserver meters, RegistryEngine engine) {
        if (AVAILABLE && meters instanceof RegistryMeters m) {
            m.bind(engine);
        }
    }

    private static boolean present(String className) {
        try {
            Class.forName(className, false, MetricsSupport.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }
}
