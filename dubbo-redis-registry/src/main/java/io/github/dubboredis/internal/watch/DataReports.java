package io.github.dubboredis.internal.watch;

import io.github.dubboredis.internal.model.CategoryKey;
import io.github.dubboredis.internal.report.RegistryObserver;
import io.github.dubboredis.internal.report.ReportLimiter;

/**
 * What watching tells the operator about data in Redis it cannot use: one report per key and reason, bounded in
 * rate by the limiter, and how many were left out. Someone who writes 20,000 bad entries, or publishes on 200,000
 * junk channels, gets a few lines, not one per entry or message; the observer escapes and cuts what Redis held.
 */
public final class DataReports {

    private final RegistryObserver observer;
    private final ReportLimiter limiter;

    DataReports(RegistryObserver observer, ReportLimiter limiter) {
        this.observer = observer;
        this.limiter = limiter;
    }

    /** Fields of a key that could not be used (a summary: their number and one example). */
    public void malformedEntries(String key, int count, String exampleField, String reason) {
        if (limiter.shouldReport("entries\n" + key + "\n" + reason)) {
            observer.malformedEntries(key, count, exampleField, reason);
        }
        suppressedSoFar();
    }

    /** A key, or a channel naming one, that is not what the registry expects there. */
    void malformedKey(String key, String reason) {
        if (limiter.shouldReport("key\n" + key)) {
            observer.malformedKey(key, reason);
        }
        suppressedSoFar();
    }

    /** A key with more entries than the registry reads; said once until {@link #notTooLarge} is called for it. */
    void tooLarge(CategoryKey key, long size, long maxEntries) {
        if (limiter.shouldReport("large\n" + key.redisKey())) {
            observer.keyTooLarge(key.redisKey(), size, maxEntries);
        }
    }

    /** The key shrank back under the limit: should it grow again, that is worth saying again. */
    void notTooLarge(CategoryKey key) {
        limiter.forget("large\n" + key.redisKey());
    }

    /** Whether a warning under this name is due (at most once a window). */
    boolean due(String name) {
        return limiter.shouldReport(name);
    }

    private void suppressedSoFar() {
        long n = limiter.takeSuppressed();
        if (n > 0) {
            observer.reportsSuppressed(n);
        }
    }
}
