package io.github.dubboredis.cli;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.dubbo.common.URL;
import org.apache.dubbo.common.utils.JsonUtils;

import io.github.dubboredis.registry.RegistryInspector;

/** Formatting shared by the commands. */
final class Output {

    private Output() {
    }

    static void json(PrintWriter out, Object value) {
        out.println(JsonUtils.toJson(value));
        out.flush();
    }

    /** Seconds to expiry, or DEAD / static / unreadable. */
    static String expiry(RegistryInspector.Entry e, long now) {
        return switch (e.state()) {
            case UNREADABLE -> "UNREADABLE (" + e.problem() + ")";
            case DEAD -> String.format("DEAD (expired %.1f s ago)", -e.millisLeft(now) / 1000.0);
            case LIVE -> e.dynamic() ? String.format("%.1f s", e.millisLeft(now) / 1000.0) : "never (dynamic=false)";
        };
    }

    /** An entry as JSON: the URL's address and parameters, its expiry and state. */
    static Map<String, Object> entry(RegistryInspector.Entry e, long now) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("url", e.field());
        try {
            URL u = URL.valueOf(e.field());
            m.put("address", u.getAddress());
            m.put("parameters", u.getParameters());
        } catch (RuntimeException ignored) {
            m.put("address", null);
        }
        m.put("state", e.state().name().toLowerCase(java.util.Locale.ROOT));
        if (e.dynamic() && e.state() != RegistryInspector.State.UNREADABLE) {
            m.put("expiresInMillis", e.millisLeft(now));
        }
        if (e.problem() != null) {
            m.put("problem", e.problem());
        }
        return m;
    }

    /** The address part of a URL string, for tables. */
    static String address(String url) {
        try {
            return URL.valueOf(url).getAddress();
        } catch (RuntimeException e) {
            return "?";
        }
    }
}
