package io.github.dubboredis.internal.concurrent;

import java.util.concurrent.Executor;

/**
 * Where a store's registries keep their state: tasks run one at a time and in order (on one thread of its own,
 * or, see {@link #executeNowIfIdle}, on a caller's while none other runs), with timers and a clock. All
 * decision logic runs through this interface, so that tests drive it with a virtual clock and run a
 * second of schedules in a millisecond, in an order they choose.
 */
public interface Scheduler extends Executor {

    /** Runs the task on the scheduler's thread, after the tasks already queued. */
    @Override
    void execute(Runnable task);

    /**
     * Runs the task at once on the calling thread if the scheduler has nothing queued or running (as its own task:
     * the next ones wait for it), else as {@link #execute}. For events from a client thread that must not wait for
     * the scheduler's thread to wake up; the task must be as short as any other.
     */
    default void executeNowIfIdle(Runnable task) {
        execute(task);
    }

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
