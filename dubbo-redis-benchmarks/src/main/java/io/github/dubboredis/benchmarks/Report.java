package io.github.dubboredis.benchmarks;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** The human tables, the verdicts against the issue's targets, and the description of the method. */
final class Report {

    private Report() {
    }

    private record Column(String header, Function<Map<String, Object>, Object> value) {
    }

    // ---- tables ------------------------------------------------------------------------------------

    static String table(String scenario, Map<String, Map<String, Map<String, Object>>> results) {
        Map<String, Map<String, Map<String, Object>>> byLabel =
                scenario.equals("latency") || scenario.equals("cycle") ? latencyRows(results) : results;
        List<Column> cols = switch (scenario) {
            case "latency", "cycle" -> List.of(
                    col("p50 us", "p50_us"), col("p90 us", "p90_us"), col("p99 us", "p99_us"), col("max us", "max_us"),
                    col("samples", "count"),
                    new Column("of which the call p50/p99 us", r -> r.get("call") instanceof Map<?, ?> m
                            ? format(m.get("p50_us")) + " / " + format(m.get("p99_us")) : null),
                    new Column("after the PUBLISH p50/p99 us", r -> r.get("after_publish") instanceof Map<?, ?> m
                            ? format(m.get("p50_us")) + " / " + format(m.get("p99_us")) : null));
            case "subscribe" -> List.of(
                    new Column("first full notification ms", r -> Boolean.TRUE.equals(r.get("finished"))
                            ? r.get("first_full_notification_ms")
                            : "did not finish in " + r.get("deadline_s") + " s (" + r.get("notified") + " notified)"),
                    col("threads +", "threads_delta"), col("connections +", "connections_delta"),
                    new Column("heap + MB", r -> r.get("heap_delta_bytes") == null ? null
                            : ((Number) r.get("heap_delta_bytes")).longValue() / 1048576.0),
                    col("create ms", "create_ms"));
            case "register" -> List.of(
                    new Column("registrations/s", r -> Boolean.TRUE.equals(r.get("finished")) ? r.get("per_second")
                            : "did not finish in " + r.get("deadline_s") + " s (" + r.get("registered") + ")"),
                    new Column("call p50 us", r -> sub(r, "call", "p50_us")),
                    new Column("call p99 us", r -> sub(r, "call", "p99_us")),
                    col("server memory B/registration", "memory_per_registration_bytes"));
            case "renewal" -> List.of(
                    new Column("server requests/s", Report::requestsPerSecond),
                    new Column("per registry per renew period", Report::perPeriod),
                    new Column("top requests/s", Report::topCommands),
                    col("server CPU ms/s", "server_cpu_ms_per_s"),
                    new Column("slowest command us/call", Report::slowest),
                    col("in KB/s", "input_kb_per_s"),
                    col("connections", "connections"),
                    col("renew period ms", "renew_period_ms"));
            case "churn" -> List.of(
                    col("changes", "changes"), col("achieved changes/s", "achieved_rate_per_s"),
                    col("notifications", "notifications"), col("notifications/s", "notifications_per_s"),
                    new Column("last-change lag ms", r -> Boolean.TRUE.equals(r.get("converged")) ? r.get("last_lag_ms")
                            : "not converged in " + r.get("settle_limit_s") + " s (" + r.get("consumers_with_final_state")
                                    + " final)"));
            case "fanout" -> List.of(
                    new Column("server bytes out/change", r -> r.get("bytes_out_per_change")),
                    new Column("of a full re-read by all", r -> r.get("of_full_reads") instanceof Number n
                            ? (n.doubleValue() >= 0.1 ? String.format("%.2f", n.doubleValue())
                            : "1/" + Math.round(1 / Math.max(1e-9, n.doubleValue()))) : null),
                    new Column("server CPU ms/change", r -> r.get("server_cpu_us_per_change") instanceof Number n
                            ? n.doubleValue() / 1000.0 : null),
                    new Column("subscribers' CPU ms/change (gross)", r -> r.get("client_cpu_ms_per_change") == null ? null
                            : r.get("client_cpu_ms_per_change") + " (" + r.get("client_cpu_ms_per_change_gross") + ")"),
                    col("notifications/change", "notifications_per_change"),
                    col("heard in time %", "heard_before_next_change_pct"),
                    new Column("delay p50/p99 ms", r -> r.get("delay") instanceof Map<?, ?> m && m.get("p50_us") != null
                            ? format(((Number) m.get("p50_us")).doubleValue() / 1000) + " / "
                                    + format(((Number) m.get("p99_us")).doubleValue() / 1000) : null),
                    new Column("last-change lag ms", r -> Boolean.TRUE.equals(r.get("settled")) ? r.get("last_change_lag_ms")
                            : "not settled (" + r.get("subscribers_with_last_state") + " of " + r.get("subscribers") + ")"),
                    new Column("heap MB/subscriber", r -> r.get("heap_per_subscriber_kb") instanceof Number n
                            ? n.doubleValue() / 1024.0 : null));
            default -> List.of();
        };
        Column key = cols.isEmpty() ? null : keyColumn(scenario, cols);
        List<String> headers = new ArrayList<>(List.of(scenario, "registry"));
        for (Column c : cols) {
            headers.add(c.header());
        }
        headers.add("/ ours");
        List<List<String>> rows = new ArrayList<>();
        for (Map.Entry<String, Map<String, Map<String, Object>>> e : byLabel.entrySet()) {
            Map<String, Object> ours = e.getValue().get("ours");
            for (Map.Entry<String, Map<String, Object>> t : e.getValue().entrySet()) {
                Map<String, Object> r = t.getValue();
                List<String> row = new ArrayList<>(List.of(e.getKey(), t.getKey()));
                if (r.containsKey("round_trips")) { // the round-trip probe of the renewal
                    row.add("one renewal of " + r.get("entries") + " entries in " + r.get("keys") + " keys: "
                            + r.get("renewal_ms") + " ms with a " + r.get("round_trip_ms") + " ms round trip, "
                            + r.get("renewal_without_delay_ms") + " ms without = " + r.get("round_trips") + " round trips");
                    rows.add(row);
                    continue;
                }
                if (r.containsKey("error")) {
                    row.add("error: " + abbreviate(String.valueOf(r.get("error")), 110));
                    rows.add(row);
                    continue;
                }
                for (Column c : cols) {
                    row.add(format(c.value().apply(r)));
                }
                row.add(ratio(key, r, ours));
                rows.add(row);
            }
        }
        return render(headers, rows) + notes(scenario, byLabel);
    }

    /**
     * A notification run as two rows, the registration's notification and the removal's; each with its call and,
     * where a tap ran, the time from the announcement's arrival at a plain subscriber to the notification.
     */
    static Map<String, Map<String, Map<String, Object>>> latencyRows(Map<String, Map<String, Map<String, Object>>> byLabel) {
        Map<String, Map<String, Map<String, Object>>> rows = new LinkedHashMap<>();
        for (Map.Entry<String, Map<String, Map<String, Object>>> e : byLabel.entrySet()) {
            boolean split = e.getValue().values().stream().anyMatch(r -> r.containsKey("removal"));
            if (!split) {
                rows.put(e.getKey(), e.getValue());
                continue;
            }
            Map<String, Map<String, Object>> added = new LinkedHashMap<>();
            Map<String, Map<String, Object>> removed = new LinkedHashMap<>();
            for (Map.Entry<String, Map<String, Object>> t : e.getValue().entrySet()) {
                Map<String, Object> r = t.getValue();
                Map<String, Object> a = new LinkedHashMap<>(r);
                a.put("call", r.get("register_call"));
                a.put("after_publish", r.get("notification_after_publish"));
                added.put(t.getKey(), a);
                Map<String, Object> u = new LinkedHashMap<>();
                if (r.get("removal") instanceof Map<?, ?> m) {
                    m.forEach((k, v) -> u.put(String.valueOf(k), v));
                } else if (r.containsKey("error")) {
                    u.put("error", r.get("error"));
                }
                u.put("call", r.get("unregister_call"));
                u.put("after_publish", r.get("removal_after_publish"));
                removed.put(t.getKey(), u);
            }
            rows.put(e.getKey() + ": register", added);
            rows.put(e.getKey() + ": unregister", removed);
        }
        return rows;
    }

    private static Column keyColumn(String scenario, List<Column> cols) {
        return switch (scenario) {
            case "latency", "cycle" -> cols.get(2); // p99
            case "churn" -> cols.get(4); // lag
            case "fanout" -> cols.get(0); // bytes
            default -> cols.get(0);
        };
    }

    private static String ratio(Column key, Map<String, Object> r, Map<String, Object> ours) {
        if (key == null || ours == null || ours == r) {
            return ours == r ? "1" : "";
        }
        Object a = key.value().apply(r);
        Object b = key.value().apply(ours);
        if (a instanceof Number x && b instanceof Number y && y.doubleValue() > 0) {
            double v = x.doubleValue() / y.doubleValue();
            return v >= 100 ? String.format("%.0f", v) : v >= 10 ? String.format("%.1f", v) : String.format("%.2f", v);
        }
        return "";
    }

    private static Column col(String header, String field) {
        return new Column(header, r -> r.get(field));
    }

    private static Object sub(Map<String, Object> r, String map, String field) {
        Object m = r.get(map);
        return m instanceof Map<?, ?> mm ? mm.get(field) : null;
    }

    private static Object requestsPerSecond(Map<String, Object> r) {
        if (r.containsKey("commands_per_s")) {
            return r.get("commands_per_s");
        }
        return r.get("packets_received_per_s");
    }

    private static Object perPeriod(Map<String, Object> r) {
        if (r.containsKey("commands_per_registry_per_period")) {
            return r.get("commands_per_registry_per_period") + " commands, " + r.get("reads_per_registry_per_period")
                    + " reads";
        }
        if (r.containsKey("packets_per_registry_per_period")) {
            return r.get("packets_per_registry_per_period") + " packets";
        }
        return null;
    }

    private static Object slowest(Map<String, Object> r) {
        if (!(r.get("usec_per_call") instanceof Map<?, ?> m) || m.isEmpty()) {
            return null;
        }
        Map.Entry<?, ?> worst = null;
        for (Map.Entry<?, ?> e : m.entrySet()) {
            if (worst == null || ((Number) e.getValue()).doubleValue() > ((Number) worst.getValue()).doubleValue()) {
                worst = e;
            }
        }
        return worst.getKey() + " " + format(worst.getValue());
    }

    private static Object topCommands(Map<String, Object> r) {
        if (!(r.get("by_command_per_s") instanceof Map<?, ?> m)) {
            return r.containsKey("packets_received_per_s") ? "(ZooKeeper: requests+pings)" : null;
        }
        List<Map.Entry<?, ?>> entries = new ArrayList<>(m.entrySet());
        entries.sort((x, y) -> Double.compare(((Number) y.getValue()).doubleValue(), ((Number) x.getValue()).doubleValue()));
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < Math.min(4, entries.size()); i++) {
            if (i > 0) {
                b.append(", ");
            }
            b.append(entries.get(i).getKey()).append(' ').append(format(entries.get(i).getValue()));
        }
        return b.toString();
    }

    private static String notes(String scenario, Map<String, Map<String, Map<String, Object>>> byLabel) {
        StringBuilder b = new StringBuilder();
        switch (scenario) {
            case "latency" -> b.append("  round trip: one request on an open connection (Redis PING, ZooKeeper exists) to the same"
                    + " server, back to back or each after 0.5 ms of idleness (as the notifications come).\n  notification:"
                    + " register() on one registry instance until another instance's listener holds the URL, then"
                    + " unregister() until it no longer does (2000 warm-up cycles, 1000 measured).\n  after the PUBLISH: from"
                    + " the announcement's arrival at a plain subscriber of the key's channel to the notification (300 cycles"
                    + " before the measured ones, with that subscriber; Redis registries only).\n");
            case "cycle" -> b.append("  The same register/unregister cycle as it was first measured: 50 warm-up cycles, 300 measured,"
                    + " before any other scenario ran in the JVM (the old registry's JVM is fresh for every scenario).\n");
            case "subscribe" -> b.append("  One new registry subscribes to N services (one provider each, written directly into the"
                    + " server). Time from the first subscribe() to the last service's first notification; threads, server"
                    + " connections and heap (after GC) held then, over a baseline taken before the registry was created.\n");
            case "register" -> b.append("  One registry, one register() after another; memory = server memory growth / registrations.\n");
            case "renewal" -> {
                b.append("  Session 6 s for all (so a 12 s window holds several periods); commands scale with 1/session.\n");
                for (Map<String, Map<String, Object>> m : byLabel.values()) {
                    for (Map.Entry<String, Map<String, Object>> t : m.entrySet()) {
                        if (t.getValue().get("renewal") != null) {
                            b.append("  ").append(t.getKey()).append(": ").append(t.getValue().get("renewal")).append('\n');
                        }
                    }
                    break;
                }
            }
            case "fanout" -> b.append("  One service, its providers written directly into the server; every subscriber a registry"
                    + " instance of its own (all in one JVM of their own per registry kind, whose CPU is the 'subscribers' CPU');"
                    + " one more provider joins and leaves in turn, one change a second. Per change, less what a quiet window of"
                    + " the same length costs: what the server sent, its CPU and the subscribers' (in brackets: as measured, quiet costs included). A full re-read by all: every"
                    + " subscriber reading the whole service once (HGETALL or getChildren reply size x subscribers). Heard in"
                    + " time: subscriber x change pairs notified of that change before the next one; delay: for those.\n");
            case "churn" -> b.append("  Each provider in turn unregisters and registers again, paced; lag = last change until the"
                    + " last notification after it, once every consumer holds all providers and a second passed quietly.\n");
            default -> {
            }
        }
        return b.toString();
    }

    private static String format(Object v) {
        if (v == null) {
            return "n/a";
        }
        if (v instanceof Double d) {
            if (d == Math.rint(d) && Math.abs(d) < 1e15) {
                return String.valueOf(d.longValue());
            }
            return Math.abs(d) >= 100 ? String.format("%.0f", d) : String.format("%.1f", d);
        }
        return String.valueOf(v);
    }

    private static String abbreviate(String s, int n) {
        return s.length() <= n ? s : s.substring(0, n - 3) + "...";
    }

    private static String render(List<String> headers, List<List<String>> rows) {
        int n = headers.size();
        int[] w = new int[n];
        for (int i = 0; i < n; i++) {
            w[i] = headers.get(i).length();
        }
        for (List<String> r : rows) {
            if (r.size() < n && r.size() >= 3) {
                continue; // a wide message row: does not set widths
            }
            for (int i = 0; i < r.size(); i++) {
                w[i] = Math.max(w[i], r.get(i).length());
            }
        }
        StringBuilder b = new StringBuilder();
        line(b, headers, w);
        StringBuilder rule = new StringBuilder();
        for (int i = 0; i < n; i++) {
            rule.append(i == 0 ? "" : "-+-").append("-".repeat(w[i]));
        }
        b.append(rule).append('\n');
        for (List<String> r : rows) {
            line(b, r, w);
        }
        return b.toString();
    }

    private static void line(StringBuilder b, List<String> cells, int[] w) {
        for (int i = 0; i < cells.size(); i++) {
            String c = cells.get(i);
            if (i > 0) {
                b.append(" | ");
            }
            boolean last = i == cells.size() - 1;
            if (i >= 2 && cells.size() == w.length && looksNumeric(c)) {
                b.append(" ".repeat(Math.max(0, w[i] - c.length()))).append(c);
            } else {
                b.append(c);
                if (!last) {
                    b.append(" ".repeat(Math.max(0, w[i] - c.length())));
                }
            }
        }
        b.append('\n');
    }

    private static boolean looksNumeric(String s) {
        return !s.isEmpty() && s.chars().allMatch(ch -> Character.isDigit(ch) || ch == '.' || ch == '-');
    }

    // ---- targets -------------------------------------------------------------------------------------

    static Map<String, Object> targets(Map<String, Map<String, Map<String, Map<String, Object>>>> results) {
        Map<String, Object> v = new LinkedHashMap<>();
        Map<String, Map<String, Map<String, Object>>> lat = results.get("latency");
        if (lat != null) {
            Double ours = num(lat, "notification", "ours", "p99_us");
            Double zk = num(lat, "notification", "zookeeper", "p99_us");
            Double rttP99 = num(lat, "round trip after 0.5 ms idle", "ours", "p99_us");
            Double rttP50 = num(lat, "round trip after 0.5 ms idle", "ours", "p50_us");
            Double hotP50 = num(lat, "round trip, back to back", "ours", "p50_us");
            Double oursP50 = num(lat, "notification", "ours", "p50_us");
            if (ours != null && zk != null) {
                v.put("latency p99 <= 1/5 of ZooKeeper's", verdict(zk / ours >= 5,
                        String.format("ours %.0f us, ZooKeeper %.0f us: ZooKeeper's is %.1fx ours (target >= 5x)", ours, zk, zk / ours)));
            }
            if (ours != null && rttP99 != null && rttP50 != null) {
                v.put("latency p99 <= 3 Redis round trips", verdict(ours <= 3 * rttP99,
                        String.format("p99 %.0f us = %.1f x the PING p99 after idleness (%.0f us); p50 %.0f us = %.1f x the PING"
                                + " p50 after idleness (%.0f us)%s", ours, ours / rttP99, rttP99, oursP50, oursP50 / rttP50, rttP50,
                                hotP50 == null ? "" : String.format(" or %.1f x back to back (%.0f us)", oursP50 / hotP50, hotP50))));
            }
        }
        issue14(results, v);
        Map<String, Map<String, Map<String, Object>>> sub = results.get("subscribe");
        if (sub != null) {
            String largest = null;
            for (String label : sub.keySet()) {
                largest = label;
            }
            Map<String, Object> big = sub.get(largest) == null ? null : sub.get(largest).get("ours");
            Map<String, Object> one = sub.values().iterator().next().get("ours");
            if (big != null && one != null && big.get("connections_delta") != null) {
                long conns = ((Number) big.get("connections_delta")).longValue();
                long threadsBig = ((Number) big.get("threads_delta")).longValue();
                long threadsOne = ((Number) one.get("threads_delta")).longValue();
                v.put("one pub/sub connection and bounded threads (" + largest + ")", verdict(conns <= 2 && threadsBig <= threadsOne + 2,
                        largest + ": +" + conns + " connections (commands + pub/sub), +" + threadsBig + " threads (1 service: +"
                                + threadsOne + ")"));
            }
            Map<String, Map<String, Object>> thousand = sub.get("1000 services");
            if (thousand != null && thousand.get("ours") != null && thousand.get("legacy") != null) {
                Map<String, Object> o = thousand.get("ours");
                Map<String, Object> l = thousand.get("legacy");
                if (Boolean.TRUE.equals(o.get("finished"))) {
                    double ms = ((Number) o.get("first_full_notification_ms")).doubleValue();
                    if (Boolean.TRUE.equals(l.get("finished"))) {
                        double lms = ((Number) l.get("first_full_notification_ms")).doubleValue();
                        v.put("first full notification, 1000 services: >= 10x faster than the old registry",
                                verdict(lms / ms >= 10, String.format("ours %.0f ms, old %.0f ms: %.1fx", ms, lms, lms / ms)));
                    } else {
                        double floor = ((Number) l.getOrDefault("deadline_s", 0)).doubleValue() * 1000;
                        v.put("first full notification, 1000 services: >= 10x faster than the old registry",
                                verdict(floor / ms >= 10, String.format("ours %.0f ms, old did not finish in %.0f s: > %.0fx",
                                        ms, floor / 1000, floor / ms)));
                    }
                }
            }
        }
        Map<String, Map<String, Map<String, Object>>> ren = results.get("renewal");
        if (ren != null && ren.get("round trips of one renewal") != null) {
            Map<String, Object> p = ren.get("round trips of one renewal").get("ours");
            if (p != null && p.get("round_trips") != null) {
                double rt = ((Number) p.get("round_trips")).doubleValue();
                String detail = String.format("one renewal of %s entries: %s ms through a %s ms round trip, %s ms without:"
                        + " %.1f round trips", p.get("entries"), p.get("renewal_ms"), p.get("round_trip_ms"),
                        p.get("renewal_without_delay_ms"), rt);
                for (Map.Entry<String, Map<String, Map<String, Object>>> e : ren.entrySet()) {
                    Map<String, Object> legacy = e.getValue().get("legacy");
                    if (e.getKey().startsWith("1 registry") && legacy != null && legacy.get("by_command_per_s") instanceof Map<?, ?> m) {
                        detail += String.format("; old registry, same %s: %s commands per renewal period, each waited for",
                                e.getKey(), legacy.get("commands_per_registry_per_period"));
                    }
                }
                v.put("renewal of " + p.get("entries") + " entries in <= 2 round trips per period", verdict(rt <= 2.0, detail));
            }
        }
        return v;
    }

    /**
     * The targets of issue 14: notification p50 and p99 below both the old registry's and ZooKeeper's in every latency
     * scenario (registration and removal), p50 within 2 Redis round trips of the PUBLISH, churn at least ZooKeeper's
     * with no more lag, memory per registration at most the old registry's, and the fan-out at most 1/50 of a full
     * re-read with no worse delay.
     */
    private static void issue14(Map<String, Map<String, Map<String, Map<String, Object>>>> results, Map<String, Object> v) {
        Double rttP50 = results.get("latency") == null ? null
                : num(results.get("latency"), "round trip after 0.5 ms idle", "ours", "p50_us");
        String[][] latencyRuns = {{"latency", "notification"}, {"cycle", "register/unregister cycle"}};
        for (String[] lr : latencyRuns) {
            Map<String, Map<String, Map<String, Object>>> s = results.get(lr[0]);
            if (s == null || s.get(lr[1]) == null) {
                continue;
            }
            Map<String, Map<String, Object>> byTarget = s.get(lr[1]);
            for (String what : new String[] {"register", "unregister"}) {
                Map<String, Object> ours = side(byTarget.get("ours"), what);
                Map<String, Object> legacy = side(byTarget.get("legacy"), what);
                Map<String, Object> zk = side(byTarget.get("zookeeper"), what);
                Double o50 = n(ours, "p50_us");
                Double o99 = n(ours, "p99_us");
                if (o50 == null || o99 == null) {
                    continue;
                }
                boolean met = true;
                StringBuilder d = new StringBuilder(String.format("ours %.0f / %.0f us", o50, o99));
                Map<String, Map<String, Object>> others = new LinkedHashMap<>();
                others.put("old registry", legacy == null ? Map.of() : legacy);
                others.put("ZooKeeper", zk == null ? Map.of() : zk);
                for (Map.Entry<String, Map<String, Object>> other : others.entrySet()) {
                    Double p50 = n(other.getValue(), "p50_us");
                    Double p99 = n(other.getValue(), "p99_us");
                    if (p50 == null || p99 == null) {
                        met = false;
                        d.append(", ").append(other.getKey()).append(" not measured");
                        continue;
                    }
                    met &= o50 < p50 && o99 < p99;
                    d.append(String.format(", %s %.0f / %.0f us", other.getKey(), p50, p99));
                }
                v.put("#14 " + lr[0] + " " + what + ": notification p50 and p99 below the old registry and ZooKeeper",
                        verdict(met, d.toString()));
                Double after = ours.get("after_publish") instanceof Map<?, ?> m && m.get("p50_us") instanceof Number x
                        ? x.doubleValue() : null;
                if (after != null && rttP50 != null) {
                    v.put("#14 " + lr[0] + " " + what + ": p50 within 2 Redis round trips of the PUBLISH", verdict(after <= 2 * rttP50,
                            String.format("notification p50 %.0f us after the PUBLISH reached a plain subscriber = %.1f x the PING"
                                    + " p50 after idleness (%.0f us)", after, after / rttP50, rttP50)));
                }
            }
        }
        Map<String, Map<String, Map<String, Object>>> churn = results.get("churn");
        if (churn != null) {
            for (Map.Entry<String, Map<String, Map<String, Object>>> e : churn.entrySet()) {
                Map<String, Object> o = e.getValue().get("ours");
                Map<String, Object> z = e.getValue().get("zookeeper");
                Double oc = n(o, "achieved_rate_per_s");
                Double zc = n(z, "achieved_rate_per_s");
                Double on = n(o, "notifications_per_s");
                Double zn = n(z, "notifications_per_s");
                Double ol = Boolean.TRUE.equals(o == null ? null : o.get("converged")) ? n(o, "last_lag_ms") : null;
                Double zl = Boolean.TRUE.equals(z == null ? null : z.get("converged")) ? n(z, "last_lag_ms") : null;
                if (oc != null && zc != null && on != null && zn != null) {
                    boolean lagOk = ol != null && (zl == null || ol <= zl);
                    v.put("#14 churn (" + e.getKey() + "): changes/s and notifications/s >= ZooKeeper's, lag no more",
                            verdict(oc >= zc && on >= zn && lagOk, String.format("ours %.1f changes/s, %.0f notifications/s, lag %s ms;"
                                    + " ZooKeeper %.1f, %.0f, %s ms", oc, on, ol, zc, zn, zl)));
                }
            }
        }
        Map<String, Map<String, Map<String, Object>>> reg = results.get("register");
        if (reg != null) {
            String largest = null;
            for (String label : reg.keySet()) {
                largest = label;
            }
            Double o = n(reg.get(largest).get("ours"), "memory_per_registration_bytes");
            Double l = n(reg.get(largest).get("legacy"), "memory_per_registration_bytes");
            if (o != null && l != null) {
                v.put("#14 memory per registration (" + largest + ") <= the old registry's", verdict(o <= l,
                        String.format("ours %.0f B, old registry %.0f B", o, l)));
            }
        }
        Map<String, Map<String, Map<String, Object>>> fan = results.get("fanout");
        if (fan != null) {
            for (Map.Entry<String, Map<String, Map<String, Object>>> e : fan.entrySet()) {
                Map<String, Object> o = e.getValue().get("ours");
                Double of = n(o, "of_full_reads");
                if (of == null) {
                    continue;
                }
                v.put("#14 fan-out (" + e.getKey() + "): bytes per change <= 1/50 of a full re-read by all", verdict(of <= 0.02,
                        String.format("ours %s B per change = 1/%.0f of %s B", o.get("bytes_out_per_change"), 1 / Math.max(1e-9, of),
                                o.get("full_reads_bytes_per_change"))));
                Double o50 = o.get("delay") instanceof Map<?, ?> m && m.get("p50_us") instanceof Number x ? x.doubleValue() : null;
                Double o99 = o.get("delay") instanceof Map<?, ?> m && m.get("p99_us") instanceof Number x ? x.doubleValue() : null;
                if (o50 == null || o99 == null) {
                    continue;
                }
                // met only against figures that exist: a registry that was not run, or did not get that far, proves nothing
                boolean met = Boolean.TRUE.equals(o.get("settled"));
                StringBuilder d = new StringBuilder(String.format("ours %.1f / %.1f ms (heard in time %s%%)", o50 / 1000, o99 / 1000,
                        o.get("heard_before_next_change_pct")));
                for (String other : new String[] {"legacy", "zookeeper"}) {
                    Map<String, Object> r = e.getValue().get(other);
                    Double p50 = r != null && r.get("delay") instanceof Map<?, ?> m && m.get("p50_us") instanceof Number x ? x.doubleValue() : null;
                    Double p99 = r != null && r.get("delay") instanceof Map<?, ?> m && m.get("p99_us") instanceof Number x ? x.doubleValue() : null;
                    if (p50 == null || p99 == null) {
                        met = false;
                        d.append(", ").append(other).append(" not measured");
                        continue;
                    }
                    met &= o50 <= p50 && o99 <= p99;
                    d.append(String.format(", %s %.1f / %.1f ms (heard in time %s%%)", other, p50 / 1000, p99 / 1000,
                            r.get("heard_before_next_change_pct")));
                }
                v.put("#14 fan-out (" + e.getKey() + "): delay p50/p99 no worse than the others", verdict(met, d.toString()));
            }
        }
    }

    /** A latency run's figures for the registration ({@code register}: the run itself) or the removal. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> side(Map<String, Object> run, String what) {
        if (run == null) {
            return null;
        }
        if (what.equals("register")) {
            Map<String, Object> r = new LinkedHashMap<>(run);
            r.put("after_publish", run.get("notification_after_publish"));
            return r;
        }
        if (!(run.get("removal") instanceof Map<?, ?>)) {
            return null;
        }
        Map<String, Object> r = new LinkedHashMap<>((Map<String, Object>) run.get("removal"));
        r.put("after_publish", run.get("removal_after_publish"));
        return r;
    }

    private static Double n(Map<String, Object> m, String field) {
        return m != null && m.get(field) instanceof Number x ? x.doubleValue() : null;
    }

    private static Map<String, Object> verdict(boolean met, String detail) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("met", met);
        m.put("detail", detail);
        return m;
    }

    private static Double num(Map<String, Map<String, Map<String, Object>>> s, String label, String target, String field) {
        Map<String, Map<String, Object>> byTarget = s.get(label);
        if (byTarget == null || byTarget.get(target) == null) {
            return null;
        }
        Object o = byTarget.get(target).get(field);
        return o instanceof Number n ? n.doubleValue() : null;
    }

    static String targetsText(Map<String, Object> verdicts) {
        StringBuilder b = new StringBuilder("Targets\n");
        for (Map.Entry<String, Object> e : verdicts.entrySet()) {
            Map<?, ?> m = (Map<?, ?>) e.getValue();
            b.append(Boolean.TRUE.equals(m.get("met")) ? "  MET   " : "  MISSED").append("  ").append(e.getKey()).append(": ")
                    .append(m.get("detail")).append('\n');
        }
        if (verdicts.isEmpty()) {
            b.append("  (none of the scenarios that the targets need were run)\n");
        }
        return b.toString();
    }

    // ---- method -------------------------------------------------------------------------------------

    static Map<String, Object> method() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("same_code", "The scenarios and the measuring code (io.github.dubboredis.legacy.bench: Scenarios, BenchKit,"
                + " RedisOps, MiniResp) are compiled once, for Java 8 against Dubbo 2.7's registry API (Registry, URL,"
                + " NotifyListener keep their signatures in Dubbo 3.3), and the same bytecode runs in the benchmark JVM (ours,"
                + " zookeeper) and in the Dubbo 2.7 child JVM (legacy), with the same JVM options. Latencies: HdrHistogram 2.2.2.");
        m.put("instances", "Every registry instance stands for a process of its own: on Dubbo 3.3 its own FrameworkModel and"
                + " ApplicationModel (so its own ZooKeeper session; for ours a distinct reconnect.period, so its own Redis"
                + " connections instead of the per-JVM sharing); on Dubbo 2.7 its own registry URL (a distinct 'version'),"
                + " hence its own Jedis pool. All instances of a registry kind live in one JVM.");
        m.put("servers", "ours and legacy: one redis-server each (same binary, same settings, maxclients 16000);"
                + " zookeeper: Curator's TestingServer in a JVM of its own (tickTime 2000, no per-address connection limit).");
        m.put("settings", "ours: defaults (file-cache=false); zookeeper: file-cache=false, delay-notification=0 (its notifier"
                + " otherwise holds notifications back for up to 5 s); legacy: file.cache=false, Jedis pool defaults except"
                + " max.total=max.idle=subscriptions+16 where a run subscribes more than 8 services.");
        m.put("renewal_round_trips", "ours: a stopwatch on engine().registrations().renewAll() through a delay line adding 20 ms each way;"
                + " legacy: its client waits for every reply, so each command counted per period is a round trip.");
        return m;
    }
}
