package io.github.dubboredis.cli;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.dubbo.common.URL;
import org.apache.dubbo.common.utils.JsonUtils;

import io.github.dubboredis.inspect.RegistryInspector.EntryReport;
import io.github.dubboredis.inspect.RegistryInspector.State;
import io.github.dubboredis.text.Printable;

/**
 * Formatting shared by the commands. Everything that came from Redis goes through {@link #text}: escaped
 * (a control character in a key name must not clear the operator's screen or forge a table row) and cut.
 * JSON output escapes by itself.
 */
final class Output {

    private Output() {
    }

    static void json(PrintWriter out, Object value) {
        out.println(JsonUtils.toJson(value));
        out.flush();
    }

    /** Redis data for a terminal: control characters escaped, cut to a readable length. */
    static String text(String raw) {
        return Printable.of(raw, 400);
    }

    /** Seconds to expiry, or DEAD / static / unreadable. */
    static String expiry(EntryReport e, long now) {
        return switch (e.state()) {
            case UNREADABLE -> "UNREADABLE (" + text(e.problem()) + ")";
            case DEAD -> String.format("DEAD (expired %.1f s ago)", -e.millisLeft(now) / 1000.0);
            case LIVE -> e.dynamic() ? String.format("%.1f s", e.millisLeft(now) / 1000.0) : "never (dynamic=false)";
        };
    }

    /** An entry as JSON: the URL's address and parameters, its expiry and state. */
    static Map<String, Object> entry(EntryReport e, long now) {
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
        if (e.dynamic() && e.state() != State.UNREADABLE) {
            m.put("expiresInMillis", e.millisLeft(now));
        }
        if (e.problem() != null) {
            m.put("problem", e.problem());
        }
        return m;
    }

    /** The address part of a URL string, for tables (escaped). */
    static String address(String url) {
        try {
            return text(URL.valueOf(url).getAddress());
        } catch (RuntimeException e) {
            return "?";
        }
    }
}
