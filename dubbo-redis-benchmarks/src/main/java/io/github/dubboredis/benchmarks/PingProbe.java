package io.github.dubboredis.benchmarks;

import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.HdrHistogram.Histogram;

import io.github.dubboredis.testkit.RespClient;

/**
 * Another client of the registry's Redis, in a JVM of its own (so that no pause of the JVM running the registries
 * counts as Redis's): {@code PingProbe host port}. PINGs every half millisecond, one at a time, and prints each
 * 100 ms window as {@code W <epoch millis at its end> <compressed HdrHistogram of round trips in microseconds>};
 * stops when its standard input closes.
 */
public final class PingProbe {

    static final long WINDOW_MILLIS = 100;

    private PingProbe() {
    }

    public static void main(String[] args) throws Exception {
        RespClient client = new RespClient(args[0], Integer.parseInt(args[1]), 60_000);
        client.call("CLIENT", "SETNAME", "ping-probe");
        Thread stopper = new Thread(() -> {
            try {
                while (System.in.read() >= 0) {
                    // until the benchmark closes our standard input (or dies)
                }
            } catch (java.io.IOException ignored) {
                // stop
            }
            System.exit(0);
        }, "stdin");
        stopper.setDaemon(true);
        stopper.start();
        Histogram window = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
        ByteBuffer buffer = ByteBuffer.allocate(window.getNeededByteBufferCapacity());
        long windowEnd = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WINDOW_MILLIS);
        System.out.println("PROBE READY");
        while (true) {
            long t0 = System.nanoTime();
            client.call("PING");
            long t1 = System.nanoTime();
            window.recordValue(Math.min(window.getHighestTrackableValue(), (t1 - t0) / 1000));
            if (t1 >= windowEnd) {
                buffer.clear();
                int n = window.encodeIntoCompressedByteBuffer(buffer);
                byte[] bytes = new byte[n];
                buffer.flip();
                buffer.get(bytes);
                System.out.println("W " + System.currentTimeMillis() + " " + Base64.getEncoder().encodeToString(bytes));
                window.reset();
                windowEnd = t1 + TimeUnit.MILLISECONDS.toNanos(WINDOW_MILLIS);
            }
            LockSupport.parkNanos(500_000);
        }
    }
}
