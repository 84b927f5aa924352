package io.github.dubboredis.legacy.bench;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
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
 * A minimal blocking RESP2 client on a plain socket, used by the benchmarks on both sides to look at a
 * Redis server (INFO), to measure its round trip (PING) and to write or clear data directly. Independent
 * of every registry under test. Not thread-safe.
 */
public final class MiniResp implements AutoCloseable {

    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;

    public MiniResp(String host, int port) {
        try {
            socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(host, port), 5000);
            socket.setSoTimeout(30000);
            out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
            in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
        } catch (IOException e) {
            throw new IllegalStateException("cannot connect to Redis at " + host + ":" + port, e);
        }
    }

    /** {@code host:port}. */
    public static MiniResp connect(String address) {
        int colon = address.lastIndexOf(':');
        return new MiniResp(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1)));
    }

    public Object call(String... args) {
        try {
            send(args);
            out.flush();
            return read();
        } catch (IOException e) {
            throw new IllegalStateException("Redis connection failed", e);
        }
    }

    /** Sends all commands, then reads all replies: one round trip. */
    public List<Object> pipeline(List<String[]> commands) {
        try {
            for (String[] c : commands) {
                send(c);
            }
            out.flush();
            List<Object> replies = new ArrayList<Object>(commands.size());
            for (int i = 0; i < commands.size(); i++) {
                replies.add(read());
            }
            return replies;
        } catch (IOException e) {
            throw new IllegalStateException("Redis connection failed", e);
        }
    }

    /** Reads the next reply or pushed message (after SUBSCRIBE). */
    public Object next() {
        try {
            return read();
        } catch (IOException e) {
            throw new IllegalStateException("Redis connection failed", e);
        }
    }

    /** One section of INFO as a map ({@code "commandstats"}, {@code "clients"}, ...). */
    public Map<String, String> info(String section) {
        Map<String, String> m = new LinkedHashMap<String, String>();
        for (String line : String.valueOf(call("INFO", section)).split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && !line.startsWith("#")) {
                m.put(line.substring(0, colon), line.substring(colon + 1));
            }
        }
        return m;
    }

    /** Redis's clock in milliseconds (TIME). */
    public long timeMillis() {
        List<?> t = (List<?>) call("TIME");
        return Long.parseLong((String) t.get(0)) * 1000 + Long.parseLong((String) t.get(1)) / 1000;
    }

    private void send(String[] args) throws IOException {
        out.write(('*' + Integer.toString(args.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (String a : args) {
            byte[] b = a.getBytes(StandardCharsets.UTF_8);
            out.write(('$' + Integer.toString(b.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(b);
            out.write('\r');
            out.write('\n');
        }
    }

    private Object read() throws IOException {
        int type = in.read();
        if (type < 0) {
            throw new IOException("connection closed by Redis");
        }
        String line = line();
        switch (type) {
            case '+':
                return line;
            case '-':
                throw new IllegalStateException("Redis error: " + line);
            case ':':
                return Long.parseLong(line);
            case '$': {
                int len = Integer.parseInt(line);
                if (len < 0) {
                    return null;
                }
                byte[] b = new byte[len];
                int off = 0;
                while (off < len) {
                    int n = in.read(b, off, len - off);
                    if (n < 0) {
                        throw new IOException("connection closed by Redis");
                    }
                    off += n;
                }
                in.read();
                in.read();
                return new String(b, StandardCharsets.UTF_8);
            }
            case '*': {
                int n = Integer.parseInt(line);
                if (n < 0) {
                    return null;
                }
                List<Object> items = new ArrayList<Object>(n);
                for (int i = 0; i < n; i++) {
                    items.add(read());
                }
                return items;
            }
            default:
                throw new IOException("unexpected RESP type " + (char) type);
        }
    }

    private String line() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != '\r') {
            if (c < 0) {
                throw new IOException("connection closed by Redis");
            }
            b.write(c);
        }
        in.read();
        return new String(b.toByteArray(), StandardCharsets.UTF_8);
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
