package io.github.dubboredis.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A TCP proxy on loopback between a client and a server, that a test can use to break the network:
 * {@link #cut()} drops every connection and refuses new ones, {@link #stall()} keeps connections open
 * but passes no bytes, {@link #stallRequests()} holds only what clients send, {@link #refuseNewConnections()}
 * keeps the open connections but lets no new one through, {@link #blackHole()} behaves like a host that
 * vanished behind a firewall that drops packets (connections are accepted, bytes are taken and never answered,
 * nothing is ever closed), {@link #delay(long)} adds latency; {@link #heal()} restores normal service.
 */
public final class TcpProxy implements AutoCloseable {

    private enum Mode { PASS, CUT, STALL, STALL_REQUESTS, REFUSE_NEW, BLACK_HOLE }

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

    /**
     * A black hole, until {@link #heal()}: what was in flight and everything sent from now on is swallowed
     * without an answer, new connections are accepted and swallowed too (without reaching the server), and
     * nothing is closed or reset. TCP itself is content (every byte is acknowledged), so only an application-level
     * check can tell: what a registry must notice when its Redis host is powered off behind a middlebox.
     */
    public void blackHole() {
        mode = Mode.BLACK_HOLE;
    }

    /** Adds this much latency, each way, to every byte forwarded from now on (without limiting throughput). */
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
                if (mode == Mode.BLACK_HOLE) {
                    sockets.add(client);
                    swallow(client);
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

    /** Bytes read from one side, to be written to the other once their delay has passed. */
    private record Chunk(byte[] bytes, long dueNanos) {
    }

    private static final Chunk END = new Chunk(new byte[0], 0);
    private static final Chunk END_OF_HOLE = new Chunk(new byte[0], 0);

    /**
     * Forwards one direction with a reader and a writer thread, so that {@link #delay} is latency, not a
     * throughput limit (a delay line): each chunk waits its delay once, however much is queued before it.
     */
    private void pump(Socket from, Socket to, boolean toServer) {
        LinkedBlockingQueue<Chunk> queue = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            byte[] buf = new byte[16 * 1024];
            try (InputStream in = from.getInputStream()) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    if (mode == Mode.BLACK_HOLE) {
                        continue; // acknowledged by TCP, never delivered
                    }
                    queue.add(new Chunk(Arrays.copyOf(buf, n), System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delayMillis)));
                }
            } catch (IOException e) {
                // this side went away
            }
            queue.add(END);
        }, "tcp-proxy-read");
        Thread writer = new Thread(() -> {
            try (OutputStream out = to.getOutputStream()) {
                for (Chunk c = queue.take(); c != END; c = queue.take()) {
                    long wait;
                    while ((wait = c.dueNanos() - System.nanoTime()) > 0) {
                        LockSupport.parkNanos(wait);
                    }
                    while ((mode == Mode.STALL || mode == Mode.BLACK_HOLE || toServer && mode == Mode.STALL_REQUESTS)
                            && !from.isClosed()) {
                        Thread.sleep(10);
                        if (mode == Mode.BLACK_HOLE) {
                            c = END_OF_HOLE; // swallowed: it never arrives, even once the hole heals
                        }
                    }
                    if (c == END_OF_HOLE) {
                        continue;
                    }
                    if (mode == Mode.CUT) {
                        break;
                    }
                    out.write(c.bytes());
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
        }, "tcp-proxy-write");
        reader.setDaemon(true);
        writer.setDaemon(true);
        reader.start();
        writer.start();
    }

    /** Reads and drops everything a connection sends, forever (until the proxy closes). */
    private void swallow(Socket client) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[16 * 1024];
            try (InputStream in = client.getInputStream()) {
                while (in.read(buf) >= 0) {
                    // dropped
                }
            } catch (IOException e) {
                // closed by the proxy's close()
            }
        }, "tcp-proxy-hole");
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
