package io.github.dubboredis.internal.configcenter;

/** Hears the changes of a configuration entry, on the executor the configuration centre was given. */
@FunctionalInterface
public interface ConfigListener {

    void onChange(ConfigChange change);
}
