package io.github.dubboredis.console;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.apache.dubbo.common.utils.JsonUtils;

/**
 * HTTP/1.1 over a plain socket, so that a test can send any header a browser or an attacker would (the JDK's
 * client refuses to set {@code Host}). One request per connection.
 */
final class RawHttp {

    record Response(int status, Map<String, String> headers, String body) {

        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        @SuppressWarnings("unchecked")
        Map<String, Object> json() {
            return JsonUtils.toJavaObject(body, Map.class);
        }
    }

    private final int port;

    RawHttp(int port) {
        this.port = port;
    }

    Response get(String path) {
        return send("GET", path, Map.of());
    }

    /** Sends a request; {@code Host} defaults to this server's address unless given. */
    Response send(String method, String path, Map<String, String> headers) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Host", "127.0.0.1:" + port);
        h.putAll(headers);
        StringBuilder request = new StringBuilder(method + " " + path + " HTTP/1.1\r\n");
        h.forEach((k, v) -> request.append(k).append(": ").append(v).append("\r\n"));
        request.append("Connection: close\r\n");
        if ("POST".equals(method)) {
            request.append("Content-Length: 0\r\n");
        }
        request.append("\r\n");
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(70_000);
            OutputStream out = s.getOutputStream();
            out.write(request.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = s.getInputStream();
            String all = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            int end = all.indexOf("\r\n\r\n");
            List<String> lines = List.of(all.substring(0, end).split("\r\n"));
            int status = Integer.parseInt(lines.get(0).split(" ")[1]);
            Map<String, String> headersOut = new LinkedHashMap<>();
            for (String line : lines.subList(1, lines.size())) {
                int colon = line.indexOf(':');
                headersOut.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
            }
            return new Response(status, headersOut, all.substring(end + 4));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
