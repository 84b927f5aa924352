package io.github.dubboredis.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy on loopback between a client and a server, that a test can use to break the network:
 * {@link #cut()} drops every connection and refuses new ones, {@link #stall()} keeps connections open
 * but passes no bytes, {@link #stallRequests()} holds only what clients send, {@link #refuseNewConnections()}
 * keeps the open connections but lets no new one through, {@link #delay(long)} adds latency;
 * {@link #heal()} restores normal service.
 */
public final class TcpProxy implements AutoCloseable {

    private enum Mode { PASS, CUT, STALL, STALL_REQUESTS, REFUSE_NEW }

    private final String targetHost;
    private final int targetPort;
    private final ServerSocket server;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final AtomicInteger accepted = new AtomicInteger();
    private volatile Mode mode = Mode.PASS;
    private volatile long delayMillis;
    private volatile boolean closed;

    public TcpProxy(String targetHost, int targetPort) {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        try {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        Thread t = new Thread(this::acceptLoop, "tcp-proxy-" + server.getLocalPort());
        t.setDaemon(true);
        t.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    public String address() {
        return "127.0.0.1:" + port();
    }

    /** Connections accepted so far. */
    public int acceptedConnections() {
        return accepted.get();
    }

    /** Closes every connection and refuses (closes at once) new ones until {@link #heal()}. */
    public void cut() {
        mode = Mode.CUT;
        closeAll();
    }

    /** Passes no more bytes in either direction, without closing anything, until {@link #heal()}. */
    public void stall() {
        mode = Mode.STALL;
    }

    /**
     * Holds every byte a client sends (until {@link #heal()}) while the server's bytes still reach the
     * clients: commands stay in flight, pub/sub messages keep arriving.
     */
    public void stallRequests() {
        mode = Mode.STALL_REQUESTS;
    }

    /**
     * Lets the open connections pass, but closes new ones at once until {@link #heal()}: a client whose
     * connection a test kills cannot come back, while its other connections keep working.
     */
    public void refuseNewConnections() {
        mode = Mode.REFUSE_NEW;
    }

    /** Adds this much latency to every chunk forwarded. */
    public void delay(long millis) {
        delayMillis = millis;
    }

    public void heal() {
        delayMillis = 0;
        mode = Mode.PASS;
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = server.accept();
                accepted.incrementAndGet();
                if (mode == Mode.CUT || mode == Mode.REFUSE_NEW) {
                    client.close();
                    continue;
                }
                Socket upstream = new Socket();
                upstream.connect(new InetSocketAddress(targetHost, targetPort), 2000);
                client.setTcpNoDelay(true);
                upstream.setTcpNoDelay(true);
                sockets.add(client);
                sockets.add(upstream);
                pump(client, upstream, true);
                pump(upstream, client, false);
            } catch (IOException e) {
                if (closed) {
                    return;
                }
            }
        }
    }

    private void pump(Socket from, Socket to, boolean toServer) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    while ((mode == Mode.STALL || toServer && mode == Mode.STALL_REQUESTS) && !from.isClosed()) {
                        Thread.sleep(10);
                    }
                    if (mode == Mode.CUT) {
                        break;
                    }
                    long d = delayMillis;
                    if (d > 0) {
                        Thread.sleep(d);
                    }
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (IOException | InterruptedException e) {
                // one side went away: close both below
            } finally {
                closeQuietly(from);
                closeQuietly(to);
                sockets.remove(from);
                sockets.remove(to);
            }
        }, "tcp-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    private void closeAll() {
        for (Socket s : sockets) {
            closeQuietly(s);
        }
        sockets.clear();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() {
        closed = true;
        closeQuietly(server);
        closeAll();
    }

    private static void closeQuietly(ServerSocket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // already closed
        }
    }
}
