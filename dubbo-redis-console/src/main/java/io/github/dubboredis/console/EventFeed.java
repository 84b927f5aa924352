package io.github.dubboredis.console;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The registry's events, fanned out to the open event streams. Publishing never blocks (it runs on the session's
 * thread, which also keeps the console's view of Redis current): each stream has a bounded queue, and an event
 * that does not fit is dropped and counted for that stream, which then says so to its page. The last events are
 * kept for a stream that reconnects ({@code Last-Event-ID}) and for a page that opens.
 */
final class EventFeed implements AutoCloseable {

    /** One event as sent: its id and its JSON. */
    record Sent(long id, String json) {
    }

    private static final Sent END = new Sent(-1, "");
    private static final int KEPT = 200;
    /** Events a newly opened page is shown at once. */
    private static final int SHOWN_ON_OPEN = 50;

    private final int maxStreams;
    private final int queueCapacity;
    private final Deque<Sent> recent = new ArrayDeque<>();
    private final List<Stream> streams = new ArrayList<>();
    private final AtomicLong published = new AtomicLong();
    private final AtomicLong droppedByClosed = new AtomicLong();
    private long lastId;
    private boolean closed;

    EventFeed(int maxStreams, int queueCapacity) {
        this.maxStreams = maxStreams;
        this.queueCapacity = queueCapacity;
    }

    /** One reader's stream: its queue and what it missed. */
    final class Stream implements AutoCloseable {
        private final BlockingQueue<Sent> queue = new ArrayBlockingQueue<>(queueCapacity + 1);
        private final AtomicLong dropped = new AtomicLong();
        private long droppedSaid;

        /** The next event, null after {@code waitMillis} without one; {@link #isEnd} once the feed closed. */
        Sent next(long waitMillis) throws InterruptedException {
            return queue.poll(waitMillis, TimeUnit.MILLISECONDS);
        }

        /** Events dropped since this was last asked (zero when none). */
        long newlyDropped() {
            long all = dropped.get();
            long news = all - droppedSaid;
            droppedSaid = all;
            return news;
        }

        @Override
        public void close() {
            synchronized (EventFeed.this) {
                if (streams.remove(this)) {
                    droppedByClosed.addAndGet(dropped.get());
                }
            }
        }

        private void offer(Sent event) {
            // One slot stays free for END, so a full queue can always be told to stop.
            if (queue.remainingCapacity() <= 1 || !queue.offer(event)) {
                dropped.incrementAndGet();
            }
        }
    }

    static boolean isEnd(Sent event) {
        return event == END;
    }

    /** Sends an event to every stream; never blocks. */
    synchronized void publish(String json) {
        if (closed) {
            return;
        }
        Sent event = new Sent(++lastId, json);
        published.incrementAndGet();
        recent.addLast(event);
        if (recent.size() > KEPT) {
            recent.removeFirst();
        }
        for (Stream s : streams) {
            s.offer(event);
        }
    }

    /**
     * Opens a stream, queued with the events after {@code lastEventId} that are still kept (a reconnect), or the
     * last few (a new page, {@code lastEventId} negative). Null when as many streams as allowed are open.
     */
    synchronized Stream open(long lastEventId) {
        if (closed || streams.size() >= maxStreams) {
            return null;
        }
        Stream s = new Stream();
        List<Sent> replay = new ArrayList<>(recent);
        int from = 0;
        if (lastEventId < 0) {
            from = Math.max(0, replay.size() - SHOWN_ON_OPEN);
        } else {
            while (from < replay.size() && replay.get(from).id() <= lastEventId) {
                from++;
            }
        }
        for (Sent e : replay.subList(from, replay.size())) {
            s.offer(e);
        }
        streams.add(s);
        return s;
    }

    /** Open streams, events published, events dropped (all streams, open or closed). */
    synchronized long[] counts() {
        long dropped = droppedByClosed.get();
        for (Stream s : streams) {
            dropped += s.dropped.get();
        }
        return new long[] {streams.size(), published.get(), dropped};
    }

    int maxStreams() {
        return maxStreams;
    }

    /** Ends every stream: each reader gets the end at once, whatever is queued. */
    @Override
    public synchronized void close() {
        closed = true;
        for (Stream s : streams) {
            s.queue.clear();
            s.queue.offer(END);
        }
    }
}
