package io.github.dubboredis.internal.concurrent;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link Scheduler} with a daemon thread of its own for its timers and queued tasks. Its tasks run one at a
 * time, in order, never two at once; {@link #executeNowIfIdle} runs one on the calling thread when nothing is
 * queued or running, which spares a message from the Redis client's thread a wake-up of this one (the larger
 * part of a notification's time on a busy machine).
 */
public final class ThreadScheduler implements Scheduler, AutoCloseable {

    private static final int IDLE = 0;
    /** A drain of the queue is submitted to the thread. */
    private static final int SCHEDULED = 1;
    /** A task runs (on the thread, or on a caller of executeNowIfIdle). */
    private static final int RUNNING = 2;

    private final ScheduledThreadPoolExecutor executor;
    private final Queue<Runnable> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger state = new AtomicInteger(IDLE);
    private final Runnable drain = this::drain;
    /** The thread running a task now; null when none is. */
    private volatile Thread runner;
    private volatile boolean closed;

    public ThreadScheduler(String threadName) {
        ThreadFactory factory = r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        };
        this.executor = new ScheduledThreadPoolExecutor(1, factory);
        this.executor.setRemoveOnCancelPolicy(true);
        this.executor.prestartCoreThread();
    }

    @Override
    public void execute(Runnable task) {
        if (closed) {
            throw new RejectedExecutionException("scheduler closed");
        }
        queue.add(task);
        signal();
    }

    @Override
    public void executeNowIfIdle(Runnable task) {
        if (closed || !queue.isEmpty() || !state.compareAndSet(IDLE, RUNNING)) {
            execute(task);
            return;
        }
        runner = Thread.currentThread();
        try {
            run(task);
        } finally {
            runner = null;
            state.set(IDLE);
            // What the task queued (and anything queued meanwhile) runs on the scheduler's thread, not the caller's.
            if (!queue.isEmpty()) {
                signal();
            }
        }
    }

    private void signal() {
        if (state.compareAndSet(IDLE, SCHEDULED)) {
            try {
                executor.execute(drain);
            } catch (RejectedExecutionException e) {
                state.set(IDLE); // closed meanwhile: the queue is dropped
            }
        }
    }

    /** On the scheduler's thread. */
    private void drain() {
        state.set(RUNNING);
        runner = Thread.currentThread();
        try {
            Runnable task;
            while (!closed && (task = queue.poll()) != null) {
                run(task);
            }
        } finally {
            runner = null;
            state.set(IDLE);
        }
        if (!closed && !queue.isEmpty()) {
            signal();
        }
    }

    private static void run(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException | Error e) {
            // as in an executor: a failing task does not stop the others (tasks report their own failures)
        }
    }

    @Override
    public Cancellable schedule(Runnable task, long delayMillis) {
        ScheduledFuture<?> f = executor.schedule(() -> executeNowIfIdle(task), Math.max(0, delayMillis), TimeUnit.MILLISECONDS);
        return () -> f.cancel(false);
    }

    @Override
    public Cancellable scheduleWithFixedDelay(Runnable task, long initialDelayMillis, long periodMillis) {
        ScheduledFuture<?> f = executor.scheduleWithFixedDelay(() -> executeNowIfIdle(task), Math.max(0, initialDelayMillis),
                periodMillis, TimeUnit.MILLISECONDS);
        return () -> f.cancel(false);
    }

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public long currentTimeMillis() {
        return System.currentTimeMillis();
    }

    @Override
    public boolean inSchedulerThread() {
        return Thread.currentThread() == runner;
    }

    public boolean isShutdown() {
        return executor.isShutdown();
    }

    /** Stops the thread; queued tasks are dropped. */
    @Override
    public void close() {
        closed = true;
        executor.shutdownNow();
        queue.clear();
    }
}
