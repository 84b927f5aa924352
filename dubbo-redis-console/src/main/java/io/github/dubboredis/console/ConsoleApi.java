package io.github.dubboredis.console;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.dubbo.common.URL;
import org.apache.dubbo.common.utils.JsonUtils;

import io.github.dubboredis.inspect.Doctor;
import io.github.dubboredis.inspect.Finding;
import io.github.dubboredis.inspect.OperatorSession;
import io.github.dubboredis.inspect.RegistryEvent;
import io.github.dubboredis.inspect.RegistryInspector;
import io.github.dubboredis.inspect.RegistryInspector.EntryReport;
import io.github.dubboredis.inspect.RegistryInspector.KeyReport;
import io.github.dubboredis.inspect.RegistryInspector.State;
import io.github.dubboredis.internal.configcenter.ConfigCenter;
import io.github.dubboredis.internal.model.CategoryKey;
import io.github.dubboredis.internal.model.Keyspace;

/**
 * The console's answers, as JSON-ready maps, each from a bounded read: the inspector pages through keys and
 * entries, at most {@code entriesShown} entries per key and {@code listLimit} services, applications or mappings
 * are sent (the rest counted as {@code more}), and strings from Redis are cut at {@value #LONGEST} characters.
 * Everything from Redis is sent raw (JSON-escaped): the page shows it as text, never as markup.
 */
final class ConsoleApi {

    /** The longest piece of Redis data sent (a key's name is sent whole: the page asks for it back). */
    static final int LONGEST = 4000;
    private static final int MOST_PARAMETERS = 200;
    private static final long DOCTOR_FRESH_MILLIS = 15_000;
    /** The group Dubbo reads governance rules from. */
    static final String RULE_GROUP = "dubbo";
    /** Exact-name lookups must fail loudly rather than hang a server thread. */
    private static final long WAIT_SECONDS = 60;

    /** A request that cannot be answered as asked: its HTTP status and a message for the page. */
    static final class Refusal extends RuntimeException {
        final int status;

        Refusal(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }

    private final OperatorSession session;
    private final RegistryInspector inspector;
    private final Keyspace keyspace;
    private final ConsoleOptions options;
    private final EventFeed feed;
    private final ConfigCenter configCentre;
    private final Object doctorLock = new Object();
    private Map<String, Object> lastDoctor;
    private long lastDoctorAt;

    ConsoleApi(OperatorSession session, ConsoleOptions options, EventFeed feed) {
        this.session = session;
        this.inspector = session.inspector();
        this.keyspace = new Keyspace(inspector.root());
        this.options = options;
        this.feed = feed;
        String root = inspector.root();
        this.configCentre = session.configCentre(root.substring(1, root.length() - 1));
    }

    Map<String, Object> overview() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("redis", session.describe());
        m.put("root", inspector.root());
        m.put("redisNow", await(inspector.redisNow()));
        m.put("sessionMillis", session.settings().session().toMillis());
        m.put("reapGraceMillis", session.settings().reapGrace().toMillis());
        m.put("allowWrites", options.allowWrites());
        m.put("entriesShown", options.entriesShown());
        m.put("listLimit", options.listLimit());
        m.put("mappingKey", inspector.mappingKey());
        return m;
    }

    /** Every service with its counts (each key walked, no entry kept), malformed and too-large keys apart. */
    Map<String, Object> services() {
        long now = await(inspector.redisNow());
        List<KeyReport> keys = await(inspector.interfaceLevel(0));
        Map<String, Map<String, Object>> services = new TreeMap<>();
        List<String> malformed = new ArrayList<>();
        List<Map<String, Object>> tooLarge = new ArrayList<>();
        for (KeyReport k : keys) {
            if (k.tooLarge()) {
                tooLarge.add(ordered("key", cut(k.redisKey()), "size", k.size()));
            }
            if (k.service() == null || (k.problem() != null && !k.tooLarge())) {
                malformed.add(k.redisKey());
                continue;
            }
            Map<String, Object> s = services.computeIfAbsent(k.service(), name -> ordered("service", name, "providers", 0L,
                    "consumers", 0L, "routers", 0L, "configurators", 0L, "dead", 0L, "unreadable", 0L, "tooLarge", false));
            s.merge(k.category(), k.live(), (a, b) -> (Long) a + (Long) b);
            s.merge("dead", k.dead(), (a, b) -> (Long) a + (Long) b);
            s.merge("unreadable", k.unreadable(), (a, b) -> (Long) a + (Long) b);
            if (k.tooLarge()) {
                s.put("tooLarge", true);
            }
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("redisNow", now);
        m.put("root", inspector.root());
        List<Map<String, Object>> all = new ArrayList<>(services.values());
        m.put("services", all.subList(0, Math.min(all.size(), options.listLimit())));
        m.put("more", Math.max(0, all.size() - options.listLimit()));
        m.put("malformedKeys", malformed.subList(0, Math.min(malformed.size(), 100)).stream().map(ConsoleApi::cut).toList());
        m.put("malformedMore", Math.max(0, malformed.size() - 100));
        m.put("keysTooLarge", tooLarge);
        return m;
    }

    /** One service's categories and their first entries, each with address, parameters, expiry and state. */
    Map<String, Object> service(String name) {
        long now = await(inspector.redisNow());
        List<KeyReport> keys = await(inspector.service(name, options.entriesShown()));
        List<Map<String, Object>> categories = new ArrayList<>();
        for (KeyReport k : keys) {
            Map<String, Object> c = keyReport(k);
            c.put("entries", k.entries().stream().map(ConsoleApi::entry).toList());
            categories.add(c);
        }
        return ordered("name", name, "redisNow", now, "categories", categories);
    }

    Map<String, Object> applications() {
        List<KeyReport> keys = await(inspector.applicationLevel(0));
        List<Map<String, Object>> apps = new ArrayList<>();
        for (KeyReport k : keys) {
            apps.add(ordered("application", k.service(), "instances", k.live(), "dead", k.dead(), "unreadable", k.unreadable(),
                    "tooLarge", k.tooLarge(), "problem", k.problem() == null ? null : cut(k.problem())));
        }
        return ordered("applications", apps.subList(0, Math.min(apps.size(), options.listLimit())),
                "more", Math.max(0, apps.size() - options.listLimit()));
    }

    /** One application's instances: host and port, metadata, expiry and state. */
    Map<String, Object> application(String name) {
        if (name.isEmpty()) {
            throw new Refusal(400, "an application name is needed");
        }
        long now = await(inspector.redisNow());
        KeyReport k = await(inspector.application(name, options.entriesShown()));
        Map<String, Object> c = keyReport(k);
        List<Map<String, Object>> instances = new ArrayList<>();
        for (EntryReport e : k.entries()) {
            Map<String, Object> i = entryState(e);
            i.put("instance", cut(e.field()));
            try {
                Map<?, ?> json = JsonUtils.toJavaObject(e.field(), Map.class);
                i.put("address", json == null ? null : cut(json.get("host") + ":" + json.get("port")));
                if (json != null && json.get("metadata") instanceof Map<?, ?> metadata) {
                    i.put("metadata", stringMap(metadata));
                }
            } catch (RuntimeException notJson) {
                i.put("address", null);
            }
            instances.add(i);
        }
        c.put("entries", instances);
        return ordered("name", name, "redisNow", now, "key", c);
    }

    /** The interface-to-application mapping, the first {@code listLimit} interfaces. */
    Map<String, Object> mappings() {
        RegistryInspector.MappingReport r = await(inspector.mappings(options.listLimit()));
        List<Map<String, Object>> list = new ArrayList<>();
        for (RegistryInspector.Mapping m : r.mappings()) {
            list.add(ordered("interface", cut(m.serviceInterface()), "applications",
                    m.applications().stream().limit(MOST_PARAMETERS).map(ConsoleApi::cut).toList()));
        }
        return ordered("key", r.key(), "size", r.size(), "mappings", list,
                "more", r.size() < 0 ? 0 : Math.max(0, r.size() - list.size()), "problem", r.problem());
    }

    /** The doctor's findings, each with its fix; one run at a time, reused for a few seconds. */
    Map<String, Object> doctor() {
        synchronized (doctorLock) {
            long now = System.currentTimeMillis();
            if (lastDoctor == null || now - lastDoctorAt > DOCTOR_FRESH_MILLIS) {
                List<Finding> findings;
                try {
                    findings = session.doctor().examine();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new Refusal(503, "interrupted");
                }
                List<Map<String, Object>> list = new ArrayList<>();
                for (Finding f : findings) {
                    list.add(ordered("level", f.level().name(), "check", f.check(), "message", cut(f.message()), "fix", cut(f.fix())));
                }
                lastDoctor = ordered("healthy", Doctor.healthy(findings), "examinedAt", now, "findings", list);
                lastDoctorAt = now;
            }
            return lastDoctor;
        }
    }

    /** Counters to chart: the console's own connection and watching, and its event streams. */
    Map<String, Object> stats() {
        OperatorSession.WatchStats w = session.watchStats();
        long[] feedCounts = feed.counts();
        return ordered("time", System.currentTimeMillis(),
                "connectionsLost", w.connectionsLost(), "resyncs", w.resyncs(), "notifications", w.notifications(),
                "notificationLagMillisTotal", w.notificationLagMillisTotal(), "notificationLagMillisMax", w.notificationLagMillisMax(),
                "eventStreams", feedCounts[0], "maxEventStreams", feed.maxStreams(), "eventsPublished", feedCounts[1],
                "eventsDropped", feedCounts[2]);
    }

    /**
     * The governance rules in the configuration centre: the keys of group {@value #RULE_GROUP} (where Dubbo reads
     * every routing rule and configurator) in the namespace of the registry's group, as Dubbo's
     * registry-as-centre default places them. Read-only; bounded by the list limit.
     */
    Map<String, Object> configRules() {
        ConfigCenter.KeyList keys = await(configCentre.keys(RULE_GROUP, options.listLimit()));
        List<Map<String, Object>> rules = new ArrayList<>();
        for (Map.Entry<String, Long> k : keys.sizes().entrySet()) {
            if (rules.size() >= options.listLimit()) {
                break;
            }
            rules.add(ordered("key", cut(k.getKey()), "kind", ruleKind(k.getKey()), "bytes", k.getValue()));
        }
        boolean more = !keys.complete() || keys.sizes().size() > rules.size();
        return ordered("namespace", configCentre.keyspace().namespace(), "group", RULE_GROUP, "rules", rules, "more", more,
                "note", rules.isEmpty() ? "no rules in group " + RULE_GROUP : "");
    }

    /** One rule's content, cut at {@value #LONGEST} characters. */
    Map<String, Object> configRule(String key) {
        String content = await(configCentre.get(RULE_GROUP, key));
        if (content == null) {
            throw new Refusal(404, "no rule " + cut(key) + " in group " + RULE_GROUP);
        }
        return ordered("key", cut(key), "kind", ruleKind(key), "content", cut(content), "cut", content.length() > LONGEST);
    }

    /** What Dubbo makes of a rule, from its key's suffix (the key names the service or application it is for). */
    static String ruleKind(String key) {
        if (key.endsWith(".condition-router")) {
            return "condition route";
        }
        if (key.endsWith(".tag-router")) {
            return "tag route";
        }
        if (key.endsWith(".script-router")) {
            return "script route";
        }
        if (key.endsWith(".configurators")) {
            return "configurator";
        }
        return "other";
    }

    Map<String, Object> reap(String graceParameter) {
        long grace = session.settings().reapGrace().toMillis();
        if (graceParameter != null) {
            try {
                grace = Long.parseLong(graceParameter);
            } catch (NumberFormatException e) {
                throw new Refusal(400, "graceMillis must be a number of milliseconds");
            }
            if (grace < 0) {
                throw new Refusal(400, "graceMillis must not be negative");
            }
        }
        int removed = await(inspector.reap(grace));
        return ordered("removed", removed, "graceMillis", grace);
    }

    Map<String, Object> failback() {
        List<OperatorSession.NodeReply> replies;
        try {
            replies = await(session.failback("asked by the dubbo-redis console"));
        } catch (Refusal r) {
            throw r;
        } catch (IllegalArgumentException e) {
            throw new Refusal(400, e.getMessage());
        }
        List<Map<String, Object>> nodes = new ArrayList<>();
        for (OperatorSession.NodeReply r : replies) {
            nodes.add(ordered("node", r.node(), "heardBy", r.heardBy(), "failure", r.failure()));
        }
        return ordered("nodes", nodes, "allAsked", replies.stream().allMatch(r -> r.failure() == null));
    }

    /** An event as the page gets it: what happened, to which key and entry, and whose key that is. */
    String eventJson(long timeMillis, RegistryEvent event) {
        Map<String, Object> m = ordered("time", timeMillis, "type", event.type().label(), "key", event.key(), "field", cut(event.field()));
        Optional<CategoryKey> k = keyspace.parseEntryKey(event.key());
        boolean instances = event.key().startsWith(keyspace.instancesPrefix());
        m.put("service", k.isPresent() && !instances ? k.get().service() : null);
        m.put("category", k.isPresent() && !instances ? k.get().category() : null);
        m.put("application", instances ? event.key().substring(keyspace.instancesPrefix().length()) : null);
        m.put("address", instances ? null : address(event.field()));
        return Json.write(m);
    }

    // ---- shapes ------------------------------------------------------------------------------------

    private static Map<String, Object> keyReport(KeyReport k) {
        long counted = k.live() + k.dead() + k.unreadable();
        return ordered("key", k.redisKey(), "category", k.category(), "size", k.size(), "live", k.live(), "dead", k.dead(),
                "unreadable", k.unreadable(), "tooLarge", k.tooLarge(), "more", k.tooLarge() ? k.size() : Math.max(0, counted - k.entries().size()),
                "problem", k.problem() == null ? null : cut(k.problem()));
    }

    private static Map<String, Object> entry(EntryReport e) {
        Map<String, Object> m = entryState(e);
        m.put("url", cut(e.field()));
        m.put("address", address(e.field()));
        try {
            m.put("parameters", stringMap(URL.valueOf(e.field()).getParameters()));
        } catch (RuntimeException notUrl) {
            m.put("parameters", Map.of());
        }
        return m;
    }

    private static Map<String, Object> entryState(EntryReport e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("state", e.state());
        m.put("dynamic", e.dynamic());
        m.put("expiryMillis", e.dynamic() && e.state() != State.UNREADABLE ? e.expiryMillis() : null);
        m.put("problem", e.problem() == null ? null : cut(e.problem()));
        return m;
    }

    private static String address(String url) {
        try {
            return cut(URL.valueOf(url).getAddress());
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static Map<String, Object> stringMap(Map<?, ?> raw) {
        Map<String, Object> m = new TreeMap<>();
        for (Map.Entry<?, ?> p : raw.entrySet()) {
            if (m.size() >= MOST_PARAMETERS) {
                m.put("\u2026", (raw.size() - MOST_PARAMETERS) + " more");
                break;
            }
            m.put(cut(String.valueOf(p.getKey())), p.getValue() == null ? null : cut(String.valueOf(p.getValue())));
        }
        return m;
    }

    static String cut(String s) {
        return s == null || s.length() <= LONGEST ? s : s.substring(0, LONGEST) + "\u2026(" + s.length() + " chars)";
    }

    private static Map<String, Object> ordered(Object... keysAndValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return m;
    }

    private static <T> T await(CompletableFuture<T> f) {
        try {
            return f.get(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Refusal(503, "interrupted");
        } catch (TimeoutException e) {
            f.cancel(false);
            throw new Refusal(504, "Redis did not answer within " + WAIT_SECONDS + " s");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            while (cause instanceof java.util.concurrent.CompletionException && cause.getCause() != null) {
                cause = cause.getCause();
            }
            if (cause instanceof IllegalArgumentException iae) {
                throw iae;
            }
            throw new Refusal(503, "Redis: " + (cause == null ? e.getMessage() : cause.getMessage()));
        }
    }
}
