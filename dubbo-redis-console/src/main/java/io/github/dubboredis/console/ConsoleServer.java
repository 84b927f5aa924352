package io.github.dubboredis.console;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.github.dubboredis.inspect.EventStream;
import io.github.dubboredis.inspect.OperatorSession;

/**
 * The web console: the JDK's own HTTP server serving one page (HTML, CSS and a script, from this jar), a JSON API
 * over an operator session, and the registry's events as Server-Sent Events. Read-only unless started with writes
 * allowed; then the actions need the token it prints. Its threads (the server's dispatcher, a bounded pool of
 * workers, one per open event stream) live as long as it does. The session is the caller's, and stays open.
 */
public final class ConsoleServer implements AutoCloseable {

    /** Sent with every response: no sniffing, no framing, no inline script or style, no other origin. */
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
            + "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
    private static final String JSON = "application/json; charset=utf-8";
    private static final long KEEP_ALIVE_MILLIS = 15_000;
    /** Workers beyond the event streams' own, for the page's requests. */
    private static final int REQUEST_WORKERS = 4;

    private final ConsoleOptions options;
    private final EventFeed feed;
    private final ConsoleApi api;
    private final Map<String, Asset> assets;
    private final String token;
    private final ThreadPoolExecutor workers;
    private EventStream events;
    private HttpServer http;
    private RequestGuard guard;
    private volatile boolean closed;

    private record Asset(String contentType, byte[] bytes) {
    }

    private ConsoleServer(OperatorSession session, ConsoleOptions options) {
        this.options = options;
        this.feed = new EventFeed(options.maxEventClients(), options.eventQueue());
        this.api = new ConsoleApi(session, options, feed);
        this.assets = loadAssets();
        this.token = options.allowWrites() ? newToken() : null;
        AtomicInteger n = new AtomicInteger();
        // Each event stream holds a worker; the others answer requests. A request that finds every worker busy and
        // the queue full is refused (the server closes its connection), never queued without bound.
        int threads = options.maxEventClients() + REQUEST_WORKERS;
        this.workers = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(64), r -> {
            Thread t = new Thread(r, "dubbo-redis-console-http-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        }, new ThreadPoolExecutor.AbortPolicy());
        workers.allowCoreThreadTimeOut(true);
    }

    /**
     * Starts watching the registry and serving. Fails (closing what it started) when the address cannot be bound or
     * the registry cannot be watched.
     */
    public static ConsoleServer start(OperatorSession session, ConsoleOptions options) throws IOException {
        ConsoleServer server = new ConsoleServer(session, options);
        try {
            server.events = session.watch(null, event -> server.feed.publish(server.api.eventJson(event.timeMillis(), event)));
            server.http = HttpServer.create(new InetSocketAddress(InetAddress.getByName(options.bind()), options.port()), 50);
            server.guard = new RequestGuard(options.bind(), server.port(), options.allowedHosts(), server.token);
            server.http.createContext("/", server::handle);
            server.http.setExecutor(server.workers);
            server.http.start();
            return server;
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
    }

    public int port() {
        return http.getAddress().getPort();
    }

    /** Where the page is, e.g. {@code http://127.0.0.1:8080/}; on a wildcard address, its loopback address. */
    public URI uri() {
        String host = switch (options.bind()) {
            case "0.0.0.0" -> "127.0.0.1";
            case "::", "0:0:0:0:0:0:0:0" -> "[::1]";
            default -> options.bind().contains(":") ? "[" + options.bind() + "]" : options.bind();
        };
        return URI.create("http://" + host + ":" + port() + "/");
    }

    /** The token actions need (header {@value RequestGuard#TOKEN_HEADER}); empty when read-only. */
    public Optional<String> actionToken() {
        return Optional.ofNullable(token);
    }

    // ---- requests ---------------------------------------------------------------------------------------

    private void handle(HttpExchange exchange) {
        try {
            if (!guard.hostAllowed(exchange.getRequestHeaders().getFirst("Host"))) {
                error(exchange, 403, "this console answers only to its own address (Host header refused)");
                return;
            }
            String path = exchange.getRequestURI().getRawPath();
            String method = exchange.getRequestMethod();
            if (path.startsWith("/api/actions/")) {
                action(exchange, method, path.substring("/api/actions/".length()));
                return;
            }
            if (!"GET".equals(method)) {
                exchange.getResponseHeaders().set("Allow", "GET");
                error(exchange, 405, "only GET here");
                return;
            }
            Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
            switch (path) {
                case "/", "/index.html" -> asset(exchange, "index.html");
                case "/console.js", "/console.css", "/favicon.svg" -> asset(exchange, path.substring(1));
                case "/api/overview" -> json(exchange, api::overview);
                case "/api/services" -> json(exchange, api::services);
                case "/api/service" -> json(exchange, () -> api.service(required(query, "name")));
                case "/api/applications" -> json(exchange, api::applications);
                case "/api/application" -> json(exchange, () -> api.application(required(query, "name")));
                case "/api/mappings" -> json(exchange, api::mappings);
                case "/api/doctor" -> json(exchange, api::doctor);
                case "/api/stats" -> json(exchange, api::stats);
                case "/api/config-rules" -> json(exchange, api::configRules);
                case "/api/config-rule" -> json(exchange, () -> api.configRule(required(query, "key")));
                case "/api/events" -> stream(exchange);
                default -> error(exchange, 404, "no such page");
            }
        } catch (IOException | UncheckedIOException gone) {
            // the browser went away; nothing to tell
        } catch (IllegalArgumentException badRequest) {
            try {
                error(exchange, 400, String.valueOf(badRequest.getMessage()));
            } catch (IOException | RuntimeException ignored) {
                // the connection closes
            }
        } catch (RuntimeException e) {
            try {
                error(exchange, 500, "console error: " + e);
            } catch (IOException | RuntimeException ignored) {
                // the response had started; the connection closes
            }
        } finally {
            exchange.close();
        }
    }

    private void action(HttpExchange exchange, String method, String name) throws IOException {
        String refusal = guard.refuseAction(method, exchange.getRequestHeaders());
        if (refusal != null) {
            if (!"POST".equals(method)) {
                exchange.getResponseHeaders().set("Allow", "POST");
            }
            error(exchange, "POST".equals(method) || !options.allowWrites() ? 403 : 405, refusal);
            return;
        }
        Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
        switch (name) {
            case "reap" -> json(exchange, () -> api.reap(query.get("graceMillis")));
            case "failback" -> json(exchange, api::failback);
            default -> error(exchange, 404, "no such action");
        }
    }

    private void json(HttpExchange exchange, Supplier<Map<String, Object>> answer) throws IOException {
        Map<String, Object> body;
        try {
            body = answer.get();
        } catch (ConsoleApi.Refusal r) {
            error(exchange, r.status, r.getMessage());
            return;
        } catch (IllegalArgumentException e) {
            error(exchange, 400, String.valueOf(e.getMessage()));
            return;
        }
        send(exchange, 200, JSON, Json.write(body).getBytes(StandardCharsets.UTF_8));
    }

    /** Server-Sent Events: the registry's events as they come, a keep-alive comment when none come. */
    private void stream(HttpExchange exchange) throws IOException {
        long lastId = -1;
        String last = exchange.getRequestHeaders().getFirst("Last-Event-ID");
        if (last != null) {
            try {
                lastId = Long.parseLong(last.trim());
            } catch (NumberFormatException ignored) {
                // a fresh start
            }
        }
        EventFeed.Stream s = feed.open(lastId);
        if (s == null) {
            error(exchange, 503, "too many live event streams (at most " + options.maxEventClients() + "); close a console tab");
            return;
        }
        try (s) {
            Headers h = exchange.getResponseHeaders();
            securityHeaders(h);
            h.set("Content-Type", "text/event-stream; charset=utf-8");
            exchange.sendResponseHeaders(200, 0);
            OutputStream out = exchange.getResponseBody();
            write(out, "retry: 3000\n\n");
            while (!closed) {
                EventFeed.Sent event = s.next(KEEP_ALIVE_MILLIS);
                if (event != null && EventFeed.isEnd(event)) {
                    break;
                }
                long dropped = s.newlyDropped();
                if (dropped > 0) {
                    write(out, "event: dropped\ndata: {\"dropped\":" + dropped + "}\n\n");
                }
                // The JSON has no raw line breaks (Json escapes them), so no Redis data can end or forge a frame.
                write(out, event == null ? ": keep-alive\n\n" : "id: " + event.id() + "\nevent: registry\ndata: " + event.json() + "\n\n");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void write(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private void asset(HttpExchange exchange, String name) throws IOException {
        Asset a = assets.get(name);
        send(exchange, 200, a.contentType(), a.bytes());
    }

    private void error(HttpExchange exchange, int status, String message) throws IOException {
        send(exchange, status, JSON, Json.write(Map.of("error", message)).getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        Headers h = exchange.getResponseHeaders();
        securityHeaders(h);
        h.set("Content-Type", contentType);
        boolean head = "HEAD".equals(exchange.getRequestMethod());
        exchange.sendResponseHeaders(status, head || body.length == 0 ? -1 : body.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private static void securityHeaders(Headers h) {
        h.set("X-Content-Type-Options", "nosniff");
        h.set("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        h.set("X-Frame-Options", "DENY");
        h.set("Referrer-Policy", "no-referrer");
        h.set("Cross-Origin-Resource-Policy", "same-origin");
        h.set("Cross-Origin-Opener-Policy", "same-origin");
        h.set("Cache-Control", "no-store");
    }

    private static String required(Map<String, String> query, String name) {
        String v = query.get(name);
        if (v == null) {
            throw new IllegalArgumentException("the '" + name + "' parameter is needed");
        }
        return v;
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> q = new HashMap<>();
        if (raw == null || raw.isEmpty()) {
            return q;
        }
        if (raw.length() > 64 * 1024) {
            throw new IllegalArgumentException("query too long");
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            q.putIfAbsent(k, v);
        }
        return q;
    }

    private static Map<String, Asset> loadAssets() {
        Map<String, Asset> a = new HashMap<>();
        a.put("index.html", load("index.html", "text/html; charset=utf-8"));
        a.put("console.js", load("console.js", "text/javascript; charset=utf-8"));
        a.put("console.css", load("console.css", "text/css; charset=utf-8"));
        a.put("favicon.svg", load("favicon.svg", "image/svg+xml"));
        return a;
    }

    private static Asset load(String name, String contentType) {
        try (InputStream in = ConsoleServer.class.getResourceAsStream("static/" + name)) {
            if (in == null) {
                throw new IllegalStateException("the console's " + name + " is missing from its jar");
            }
            return new Asset(contentType, in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String newToken() {
        byte[] b = new byte[32];
        new SecureRandom().nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /** Stops serving: event streams end, the server and its workers stop, the watch is closed. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        feed.close();
        if (http != null) {
            http.stop(1);
        }
        workers.shutdownNow();
        try {
            workers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (events != null) {
            events.close();
        }
    }
}
