package io.github.dubboredis.console;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

import com.sun.net.httpserver.Headers;

/**
 * Who may ask what. Every request must name this server in its {@code Host} header (a loopback name, the bind
 * address, or a name the operator allowed), so that a page on another site whose DNS name is rebound to this
 * address reaches nothing. Actions must be POSTs carrying the start-up token in a header (which no other site's
 * page can set without a CORS preflight, never answered here), from this origin when a browser says where they
 * come from ({@code Origin}, {@code Sec-Fetch-Site}).
 */
final class RequestGuard {

    static final String TOKEN_HEADER = "X-Console-Token";

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private final Set<String> hostNames = new HashSet<>();
    private final boolean anyAddressLiteral;
    private final int port;
    private final byte[] token;

    /**
     * @param bind the address listened on; a wildcard ({@code 0.0.0.0}, {@code ::}) admits any IP literal as host
     * @param token the action token; null when actions are off
     */
    RequestGuard(String bind, int port, List<String> allowedHosts, String token) {
        this.port = port;
        this.token = token == null ? null : token.getBytes(StandardCharsets.UTF_8);
        hostNames.addAll(List.of("localhost", "127.0.0.1", "[::1]"));
        String b = bind.toLowerCase(Locale.ROOT);
        this.anyAddressLiteral = b.equals("0.0.0.0") || b.equals("::") || b.equals("[::]") || b.equals("0:0:0:0:0:0:0:0");
        hostNames.add(b.contains(":") && !b.startsWith("[") ? "[" + b + "]" : b);
        for (String h : allowedHosts) {
            hostNames.add(h.toLowerCase(Locale.ROOT));
        }
    }

    /** Whether a {@code Host} header names this server: an allowed host and this port. */
    boolean hostAllowed(String host) {
        if (host == null || host.isEmpty() || host.length() > 300) {
            return false;
        }
        String h = host.toLowerCase(Locale.ROOT);
        String name;
        String portText;
        if (h.startsWith("[")) {
            int close = h.indexOf(']');
            if (close < 0) {
                return false;
            }
            name = h.substring(0, close + 1);
            portText = close + 1 < h.length() && h.charAt(close + 1) == ':' ? h.substring(close + 2) : null;
            if (portText == null && close + 1 != h.length()) {
                return false;
            }
        } else {
            int colon = h.indexOf(':');
            if (colon != h.lastIndexOf(':')) {
                return false;
            }
            name = colon < 0 ? h : h.substring(0, colon);
            portText = colon < 0 ? null : h.substring(colon + 1);
        }
        int p;
        try {
            p = portText == null ? 80 : Integer.parseInt(portText);
        } catch (NumberFormatException e) {
            return false;
        }
        if (p != port) {
            return false;
        }
        return hostNames.contains(name) || (anyAddressLiteral && (IPV4.matcher(name).matches() || name.startsWith("[")));
    }

    /** Why an action request is refused, or null when it may run. */
    String refuseAction(String method, Headers headers) {
        if (token == null) {
            return "read-only console: actions exist only when it is started with --allow-writes";
        }
        if (!"POST".equals(method)) {
            return "actions are POST requests";
        }
        String given = headers.getFirst(TOKEN_HEADER);
        if (given == null || !MessageDigest.isEqual(token, given.getBytes(StandardCharsets.UTF_8))) {
            return "missing or wrong " + TOKEN_HEADER + " (the token the console printed at start-up)";
        }
        String site = headers.getFirst("Sec-Fetch-Site");
        if (site != null && !site.equals("same-origin") && !site.equals("none")) {
            return "cross-site request refused";
        }
        String origin = headers.getFirst("Origin");
        if (origin != null && !origin.equalsIgnoreCase("http://" + headers.getFirst("Host"))) {
            return "request from another origin refused";
        }
        return null;
    }
}
