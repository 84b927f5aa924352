package io.github.dubboredis.config;

import java.util.Locale;

/** The seed's {@code cluster} setting: what to do with several plain Redis nodes. */
public enum ClusterStrategy {
    /** Use one node at a time; on failure move to the next, re-register and resync there. Needs Redis replication. */
    FAILOVER,
    /** Write every registration to every node, read from one that answers. Needs no Redis replication. */
    REPLICATE;

    public String settingValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    static ClusterStrategy fromSetting(String value, String setting) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        for (ClusterStrategy s : values()) {
            if (s.settingValue().equals(v)) {
                return s;
            }
        }
        throw new InvalidSettingException(setting, "unknown value '" + value + "'; use failover (the default) or replicate");
    }
}
