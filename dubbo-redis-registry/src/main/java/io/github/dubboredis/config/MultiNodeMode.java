package io.github.dubboredis.config;

import java.util.Locale;

/** The {@code cluster} setting: how several plain Redis nodes are used (failover or replicate). */
public enum MultiNodeMode {
    /** Use one node at a time; on failure move to the next, re-register and resync there. Needs Redis replication. */
    FAILOVER,
    /** Write every registration to every node, read from one that answers. Needs no Redis replication. */
    REPLICATE;

    public String settingValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    static MultiNodeMode fromSetting(String value, String setting) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        for (MultiNodeMode s : values()) {
            if (s.settingValue().equals(v)) {
                return s;
            }
        }
        throw new InvalidSettingException(setting, "unknown value '" + value + "'; use failover (the default) or replicate");
    }
}
