package io.github.dubboredis.internal.report;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Bounds what bad data costs in the log, whatever its amount: each subject (a key and what is wrong with it)
 * is reported once while it stays remembered, at most {@value #CAPACITY} subjects are remembered, and at
 * most {@code burst} reports pass per {@code windowMillis}; the rest are counted and the count is reported
 * when the window allows again. So 20,000 unparsable entries cost one line per key, and 200,000 junk keys
 * cost a few lines a minute, not 200,000.
 */
public final class ReportLimiter {

    static final int CAPACITY = 10_000;

    private final LongSupplier clockMillis;
    private final int burst;
    private final long windowMillis;
    private final Map<String, Boolean> seen = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > CAPACITY;
        }
    };
    private long windowStart = Long.MIN_VALUE;
    private int inWindow;
    private long suppressed;

    public ReportLimiter(LongSupplier clockMillis, int burst, long windowMillis) {
        this.clockMillis = clockMillis;
        this.burst = burst;
        this.windowMillis = windowMillis;
    }

    /** Ten reports a minute: enough to see what is wrong, too few to flood a log. */
    public static ReportLimiter perMinute(LongSupplier clockMillis) {
        return new ReportLimiter(clockMillis, 10, 60_000);
    }

    /**
     * Whether to report this subject now. A subject already reported is not reported again (while
     * remembered); a new one is reported if the window allows, else counted as suppressed (and not
     * remembered, so it can be reported later).
     */
    public synchronized boolean shouldReport(String subject) {
        if (seen.containsKey(subject)) {
            return false;
        }
        if (!allow()) {
            suppressed++;
            return false;
        }
        seen.put(subject, Boolean.TRUE);
        return true;
    }

    /** Whether a report that is not about a remembered subject (a count, a warning) may go out now. */
    public synchronized boolean allow() {
        long now = clockMillis.getAsLong();
        if (windowStart == Long.MIN_VALUE || now - windowStart >= windowMillis) {
            windowStart = now;
            inWindow = 0;
        }
        if (inWindow >= burst) {
            return false;
        }
        inWindow++;
        return true;
    }

    /** Forgets a subject (its problem went away), so that it is reported if it comes back. */
    public synchronized void forget(String subject) {
        seen.remove(subject);
    }

    /**
     * The number of reports suppressed since the last call, when a summary of them may go out now (it takes
     * a place in the window), else 0.
     */
    public synchronized long takeSuppressed() {
        if (suppressed == 0 || !allow()) {
            return 0;
        }
        long n = suppressed;
        suppressed = 0;
        return n;
    }
}
