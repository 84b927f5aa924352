package io.github.dubboredis.testkit;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A minimal blocking Redis client (RESP2), independent of the client library the registry uses: tests
 * look at Redis through it, write garbage with it and play an older registry with it. Not thread-safe.
 */
public final class RespClient implements AutoCloseable {

    /** An error reply from Redis. */
    public static final class RedisError extends RuntimeException {
        public RedisError(String message) {
            super(message);
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    public RespClient(String host, int port) {
        this(host, port, 5000);
    }

    public RespClient(String host, int port, int timeoutMillis) {
        this(host, port, timeoutMillis, null);
    }

    /** Over TLS when {@code tls} is given. */
    public RespClient(String host, int port, int timeoutMillis, javax.net.ssl.SSLContext tls) {
        try {
            Socket plain = new Socket();
            plain.connect(new InetSocketAddress(host, port), timeoutMillis);
            socket = tls == null ? plain : tls.getSocketFactory().createSocket(plain, host, port, true);
            socket.setSoTimeout(timeoutMillis);
            socket.setTcpNoDelay(true);
            in = new BufferedInputStream(socket.getInputStream());
            out = socket.getOutputStream();
        } catch (IOException e) {
            throw new IllegalStateException("cannot connect to Redis at " + host + ":" + port, e);
        }
    }

    /** Sends one command and returns its reply: String, Long, List, null, or throws {@link RedisError}. */
    public Object call(String... args) {
        send(args);
        return read();
    }

    /** Sends a command without reading the reply (for SUBSCRIBE). */
    public void send(String... args) {
        pipelineSend(List.<String[]>of(args));
    }

    /** Sends all commands in one write, then reads all their replies: a burst, as fast as Redis takes it. */
    public List<Object> pipeline(List<String[]> commands) {
        pipelineSend(commands);
        List<Object> replies = new ArrayList<>();
        for (int i = 0; i < commands.size(); i++) {
            try {
                replies.add(read());
            } catch (RedisError e) {
                replies.add(e);
            }
        }
        return replies;
    }

    private void pipelineSend(List<String[]> commands) {
        try {
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            for (String[] args : commands) {
                buf.write(("*" + args.length + "\r\n").getBytes(StandardCharsets.UTF_8));
                for (String a : args) {
                    byte[] b = a.getBytes(StandardCharsets.UTF_8);
                    buf.write(("$" + b.length + "\r\n").getBytes(StandardCharsets.UTF_8));
                    buf.write(b);
                    buf.write("\r\n".getBytes(StandardCharsets.UTF_8));
                }
            }
            out.write(buf.toByteArray());
            out.flush();
        } catch (IOException e) {
            throw new IllegalStateException("Redis connection failed", e);
        }
    }

    /** Reads one reply. */
    public Object read() {
        try {
            return readReply();
        } catch (IOException e) {
            throw new IllegalStateException("Redis connection failed", e);
        }
    }

    public String string(String... args) {
        Object r = call(args);
        return r == null ? null : r.toString();
    }

    public long number(String... args) {
        return (Long) call(args);
    }

    /** HGETALL as a map. */
    public Map<String, String> hgetall(String key) {
        List<?> flat = (List<?>) call("HGETALL", key);
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            m.put((String) flat.get(i), (String) flat.get(i + 1));
        }
        return m;
    }

    /** Every key matching a pattern, by SCAN. */
    public List<String> scan(String pattern) {
        List<String> keys = new ArrayList<>();
        String cursor = "0";
        do {
            List<?> page = (List<?>) call("SCAN", cursor, "MATCH", pattern, "COUNT", "1000");
            cursor = (String) page.get(0);
            for (Object k : (List<?>) page.get(1)) {
                keys.add((String) k);
            }
        } while (!cursor.equals("0"));
        return keys;
    }

    /** A field of INFO, e.g. {@code info("clients", "connected_clients")}. */
    public String info(String section, String field) {
        for (String line : string("INFO", section).split("\r\n")) {
            if (line.startsWith(field + ":")) {
                return line.substring(field.length() + 1);
            }
        }
        return null;
    }

    private Object readReply() throws IOException {
        int type = in.read();
        if (type < 0) {
            throw new IOException("connection closed by Redis");
        }
        String line = readLine();
        switch (type) {
            case '+':
                return line;
            case '-':
                throw new RedisError(line);
            case ':':
                return Long.parseLong(line);
            case '$': {
                int len = Integer.parseInt(line);
                if (len < 0) {
                    return null;
                }
                byte[] b = in.readNBytes(len);
                in.readNBytes(2);
                return new String(b, StandardCharsets.UTF_8);
            }
            case '*': {
                int n = Integer.parseInt(line);
                if (n < 0) {
                    return null;
                }
                List<Object> items = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    try {
                        items.add(readReply());
                    } catch (RedisError e) {
                        items.add(e);
                    }
                }
                return items;
            }
            default:
                throw new IOException("unexpected RESP type " + (char) type);
        }
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != '\r') {
            if (c < 0) {
                throw new IOException("connection closed by Redis");
            }
            b.write(c);
        }
        in.read(); // '\n'
        return b.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
