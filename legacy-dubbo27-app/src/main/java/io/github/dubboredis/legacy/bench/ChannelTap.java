package io.github.dubboredis.legacy.bench;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A plain subscriber of one Redis channel, independent of every registry: a connection of its own and a thread
 * blocked in reading it, which notes when each message arrives. The latency scenarios ask it when the
 * {@code register}/{@code unregister} announcement of a sample reached a subscriber at all, so that a
 * registry's notification can be measured from that moment (what the registry adds on the subscriber's side).
 */
public final class ChannelTap implements AutoCloseable {

    /** A message and the {@link System#nanoTime()} at which it was read off the socket. */
    private static final class Arrival {
        final String message;
        final long nanos;

        Arrival(String message, long nanos) {
            this.message = message;
            this.nanos = nanos;
        }
    }

    private final MiniResp connection;
    private final Thread reader;
    private final Deque<Arrival> arrivals = new ArrayDeque<Arrival>();
    private volatile boolean closed;

    private ChannelTap(String address, String channel) {
        this.connection = MiniResp.connect(address);
        connection.call("SUBSCRIBE", channel);
        this.reader = new Thread(new Runnable() {
            @Override
            public void run() {
                read();
            }
        }, "bench-channel-tap");
        reader.setDaemon(true);
        reader.start();
    }

    /** Subscribes to {@code channel} on the Redis at {@code host:port}; the subscription is active on return. */
    public static ChannelTap open(String address, String channel) {
        return new ChannelTap(address, channel);
    }

    private void read() {
        while (!closed) {
            Object pushed;
            try {
                pushed = connection.next();
            } catch (RuntimeException e) {
                return; // closed
            }
            long now = System.nanoTime();
            if (pushed instanceof List && ((List<?>) pushed).size() == 3 && "message".equals(((List<?>) pushed).get(0))) {
                synchronized (arrivals) {
                    arrivals.addLast(new Arrival(String.valueOf(((List<?>) pushed).get(2)), now));
                    if (arrivals.size() > 64) {
                        arrivals.removeFirst();
                    }
                    arrivals.notifyAll();
                }
            }
        }
    }

    /**
     * When the first {@code message} that arrived after {@code afterNanos} was read; waits up to
     * {@code millis} for it. 0 if none came.
     */
    public long arrivalAfter(String message, long afterNanos, long millis) {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        synchronized (arrivals) {
            while (true) {
                for (Arrival a : arrivals) {
                    if (a.nanos - afterNanos >= 0 && a.message.equals(message)) {
                        return a.nanos;
                    }
                }
                long left = end - System.nanoTime();
                if (left <= 0) {
                    return 0;
                }
                try {
                    arrivals.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return 0;
                }
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        connection.close();
    }
}
