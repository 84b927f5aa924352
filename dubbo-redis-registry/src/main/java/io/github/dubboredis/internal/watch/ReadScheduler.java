package io.github.dubboredis.internal.watch;

import java.util.concurrent.TimeUnit;

import io.github.dubboredis.internal.concurrent.Scheduler;

/**
 * Folds requests to read one key into as few reads as possible, with never more than one in flight. The
 * first request is read at once (queued behind the messages already waiting on the scheduler, so a burst
 * that has already arrived folds into it). Requests that come while a read is in flight cause one more read,
 * sent once the key has been quiet for {@value #QUIET_MILLIS} ms but no later than
 * {@value #MAX_DELAY_MILLIS} ms after the first of them. Confined to the scheduler thread.
 */
final class ReadScheduler {

    /** A follow-up read waits until the key has had no request for this long... */
    static final long QUIET_MILLIS = 5;
    /** ...but never longer than this after the request that made it necessary. */
    static final long MAX_DELAY_MILLIS = 50;

    private final Scheduler scheduler;
    private final Runnable read;
    private boolean queued;
    private boolean inFlight;
    private boolean followUp;
    private long lastRequestNanos;
    private long followUpSinceNanos;

    /** @param read sends the read; it must call {@link #readDone()} when the read completes, however */
    ReadScheduler(Scheduler scheduler, Runnable read) {
        this.scheduler = scheduler;
        this.read = read;
    }

    void request() {
        long now = scheduler.nanoTime();
        lastRequestNanos = now;
        if (queued) {
            return; // the queued read has not been sent yet: it will see this change
        }
        if (inFlight) {
            if (!followUp) {
                followUp = true;
                followUpSinceNanos = now;
            }
            return;
        }
        queued = true;
        scheduler.execute(this::send);
    }

    private void send() {
        queued = false;
        inFlight = true;
        read.run();
    }

    void readDone() {
        inFlight = false;
        if (followUp) {
            followUp = false;
            queued = true;
            sendWhenQuiet();
        }
    }

    private void sendWhenQuiet() {
        long now = scheduler.nanoTime();
        long quietFor = now - lastRequestNanos;
        long waited = now - followUpSinceNanos;
        long quiet = TimeUnit.MILLISECONDS.toNanos(QUIET_MILLIS);
        if (quietFor >= quiet || waited >= TimeUnit.MILLISECONDS.toNanos(MAX_DELAY_MILLIS)) {
            send();
        } else {
            scheduler.schedule(this::sendWhenQuiet, Math.max(1, TimeUnit.NANOSECONDS.toMillis(quiet - quietFor)));
        }
    }

    boolean inFlight() {
        return inFlight;
    }

    boolean busy() {
        return inFlight || queued;
    }
}
