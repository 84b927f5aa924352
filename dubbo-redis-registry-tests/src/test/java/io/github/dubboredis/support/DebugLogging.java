package io.github.dubboredis.support;

import java.util.HashMap;
import java.util.Map;

import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;

/** Turns every logger of Dubbo, Lettuce, Netty and ours to DEBUG while open, to catch what leaks there. */
public final class DebugLogging implements AutoCloseable {

    private static final String[] NAMES = {org.slf4j.Logger.ROOT_LOGGER_NAME, "io.lettuce", "io.netty", "org.apache.dubbo",
        "io.github.dubboredis", "io.github.dubboredis.dubbo.RedisRegistry", "org.apache.dubbo.common.utils.NetUtils"};

    private final Map<String, Level> previous = new HashMap<>();

    public DebugLogging() {
        for (String name : NAMES) {
            Logger logger = (Logger) LoggerFactory.getLogger(name);
            previous.put(name, logger.getLevel());
            logger.setLevel(Level.DEBUG);
        }
    }

    @Override
    public void close() {
        previous.forEach((name, level) -> ((Logger) LoggerFactory.getLogger(name)).setLevel(level));
    }
}
