package io.github.dubboredis.internal.concurrent;

import java.util.concurrent.Executor;

/**
 * The one thread on which a store's registries keep their state, with its timers and its clock. All
 * decision logic runs through this interface, so that tests drive it with a virtual clock and run a
 * second of schedules in a millisecond, in an order they choose.
 */
public interface Scheduler extends Executor {

    /** Runs the task on the scheduler's thread, after the tasks already queued. */
    @Override
    void execute(Runnable task);

    /** Runs the task once after the delay; the handle cancels it. */
    Cancellable schedule(Runnable task, long delayMillis);

    /** Runs the task every period, the first time after {@code initialDelayMillis}; a run never overlaps the next. */
    Cancellable scheduleWithFixedDelay(Runnable task, long initialDelayMillis, long periodMillis);

    /** A monotonic clock in nanoseconds, like {@link System#nanoTime()}. */
    long nanoTime();

    /** The wall clock in milliseconds, like {@link System#currentTimeMillis()}; only to report skew. */
    long currentTimeMillis();

    /** Whether the calling thread is this scheduler's (where nothing may wait for Redis). */
    boolean inSchedulerThread();

    /** A scheduled task. */
    interface Cancellable {
        void cancel();
    }
}
