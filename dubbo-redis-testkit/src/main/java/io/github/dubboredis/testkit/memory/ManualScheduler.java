package io.github.dubboredis.testkit.memory;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.PriorityQueue;

import io.github.dubboredis.internal.concurrent.Scheduler;

/**
 * A {@link Scheduler} on virtual time, driven by the test: nothing runs until the test says so, timers fire
 * when the test moves the clock, and a second of schedules takes a millisecond. Tasks run on the test's
 * thread, in the order they were queued; timers due at the same instant in the order they were set.
 */
public final class ManualScheduler implements Scheduler {

    private final Deque<Runnable> queue = new ArrayDeque<>();
    private final PriorityQueue<Timer> timers = new PriorityQueue<>();
    private long nowNanos = 1_000_000_000L;
    private long wallOffsetMillis = 1_700_000_000_000L;
    private long timerSequence;
    private boolean running;

    private final class Timer implements Comparable<Timer>, Cancellable {
        final long dueNanos;
        final long sequence = timerSequence++;
        final Runnable task;
        final long periodMillis;
        boolean cancelled;

        Timer(long dueNanos, Runnable task, long periodMillis) {
            this.dueNanos = dueNanos;
            this.task = task;
            this.periodMillis = periodMillis;
        }

        @Override
        public int compareTo(Timer o) {
            int c = Long.compare(dueNanos, o.dueNanos);
            return c != 0 ? c : Long.compare(sequence, o.sequence);
        }

        @Override
        public void cancel() {
            cancelled = true;
        }
    }

    @Override
    public void execute(Runnable task) {
        queue.add(task);
    }

    @Override
    public Cancellable schedule(Runnable task, long delayMillis) {
        Timer t = new Timer(nowNanos + Math.max(0, delayMillis) * 1_000_000, task, 0);
        timers.add(t);
        return t;
    }

    @Override
    public Cancellable scheduleWithFixedDelay(Runnable task, long initialDelayMillis, long periodMillis) {
        Timer[] current = new Timer[1];
        Cancellable handle = () -> current[0].cancel();
        Runnable[] repeat = new Runnable[1];
        repeat[0] = () -> {
            task.run();
            if (!current[0].cancelled) {
                Timer next = new Timer(nowNanos + periodMillis * 1_000_000, repeat[0], periodMillis);
                current[0] = next;
                timers.add(next);
            }
        };
        current[0] = new Timer(nowNanos + Math.max(0, initialDelayMillis) * 1_000_000, repeat[0], periodMillis);
        timers.add(current[0]);
        return handle;
    }

    @Override
    public long nanoTime() {
        return nowNanos;
    }

    @Override
    public long currentTimeMillis() {
        return wallOffsetMillis + nowNanos / 1_000_000;
    }

    @Override
    public boolean inSchedulerThread() {
        return running;
    }

    /** Sets this host's wall clock off by {@code millis} (a skewed host). */
    public void skewWallClock(long millis) {
        wallOffsetMillis += millis;
    }

    /** Runs queued tasks (and what they queue) until none is left; timers do not move. Returns how many ran. */
    public int runUntilIdle() {
        int ran = 0;
        boolean wasRunning = running;
        running = true;
        try {
            Runnable task;
            while ((task = queue.poll()) != null) {
                task.run();
                ran++;
                if (ran > 10_000_000) {
                    throw new IllegalStateException("tasks keep queueing more tasks: an endless loop?");
                }
            }
        } finally {
            running = wasRunning;
        }
        return ran;
    }

    /** Moves the clock forward, firing every timer that falls due on the way (each followed by the tasks it queued). */
    public void advance(long millis) {
        long target = nowNanos + millis * 1_000_000;
        runUntilIdle();
        while (true) {
            Timer next = timers.peek();
            if (next == null || next.dueNanos > target) {
                break;
            }
            timers.poll();
            nowNanos = Math.max(nowNanos, next.dueNanos);
            if (!next.cancelled) {
                running = true;
                try {
                    next.task.run();
                } finally {
                    running = false;
                }
            }
            runUntilIdle();
        }
        nowNanos = target;
        runUntilIdle();
    }

    /** Number of tasks waiting to run now. */
    public int queued() {
        return queue.size();
    }
}
