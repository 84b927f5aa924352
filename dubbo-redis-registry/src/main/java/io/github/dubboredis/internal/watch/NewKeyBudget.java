package io.github.dubboredis.internal.watch;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * How many keys an admin may start reading that it has not seen before. Such a key is named only by a message
 * on a channel, and anyone may publish: a flood of publishes on junk channel names must not become one read (and
 * one piece of state) per message. So at most {@code limit} first reads are in flight at once, and at most
 * {@code limit} start in any second; a key refused here is found later by one scan of the root, if it exists.
 * Confined to the watch's scheduler, like the rest of it.
 */
final class NewKeyBudget {

    private static final long SECOND_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final int limit;
    private final LongSupplier nanoTime;
    private int inFlight;
    private int startedThisSecond;
    private long secondStartNanos;
    private boolean started;

    NewKeyBudget(int limit, LongSupplier nanoTime) {
        this.limit = limit;
        this.nanoTime = nanoTime;
    }

    /** Takes one first read from the budget; false when it is spent (the caller then scans later instead). */
    boolean tryTake() {
        long now = nanoTime.getAsLong();
        if (!started || now - secondStartNanos >= SECOND_NANOS) {
            started = true;
            secondStartNanos = now;
            startedThisSecond = 0;
        }
        if (inFlight >= limit || startedThisSecond >= limit) {
            return false;
        }
        inFlight++;
        startedThisSecond++;
        return true;
    }

    /** A first read taken from the budget is over (read, failed or dropped). */
    void done() {
        if (inFlight > 0) {
            inFlight--;
        }
    }
}
