package io.github.dubboredis.config;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How the registry reaches Redis: the {@code redis-client} setting, named as in the existing Dubbo Redis
 * extension so that a user switching from it changes only the dependency.
 */
public enum Topology {
    /** Plain Redis servers: the address, plus {@code backup} nodes used as {@link MultiNodeMode} says. */
    STANDALONE("mono"),
    /** Redis Sentinel: the address and {@code backup} are sentinels; {@code master.name} picks the master. */
    SENTINEL("sentinel"),
    /** Redis Cluster: the address and {@code backup} are seed nodes. */
    REDIS_CLUSTER("cluster");

    private final String settingValue;

    Topology(String settingValue) {
        this.settingValue = settingValue;
    }

    public String settingValue() {
        return settingValue;
    }

    static Topology fromSetting(String value, String setting) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        if (v.equals("standalone")) {
            return STANDALONE;
        }
        for (Topology t : values()) {
            if (t.settingValue.equals(v)) {
                return t;
            }
        }
        throw new InvalidSettingException(setting, "unknown value '" + value + "'; use one of "
                + Arrays.stream(values()).map(Topology::settingValue).collect(Collectors.joining(", ")));
    }
}
