package io.github.dubboredis.internal.concurrent;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/** A {@link Scheduler} on one daemon thread of its own. */
public final class ThreadScheduler implements Scheduler, AutoCloseable {

    private final ScheduledThreadPoolExecutor executor;
    private volatile Thread thread;

    public ThreadScheduler(String threadName) {
        ThreadFactory factory = r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            thread = t;
            return t;
        };
        this.executor = new ScheduledThreadPoolExecutor(1, factory);
        this.executor.setRemoveOnCancelPolicy(true);
        this.executor.prestartCoreThread();
    }

    @Override
    public void execute(Runnable task) {
        executor.execute(task);
    }

    @Override
    public Cancellable schedule(Runnable task, long delayMillis) {
        ScheduledFuture<?> f = executor.schedule(task, Math.max(0, delayMillis), TimeUnit.MILLISECONDS);
        return () -> f.cancel(false);
    }

    @Override
    public Cancellable scheduleWithFixedDelay(Runnable task, long initialDelayMillis, long periodMillis) {
        ScheduledFuture<?> f = executor.scheduleWithFixedDelay(task, Math.max(0, initialDelayMillis), periodMillis,
                TimeUnit.MILLISECONDS);
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
        return Thread.currentThread() == thread;
    }

    public boolean isShutdown() {
        return executor.isShutdown();
    }

    /** Stops the thread; queued tasks are dropped. */
    @Override
    public void close() {
        executor.shutdownNow();
    }
}
