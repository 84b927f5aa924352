package io.github.dubboredis.internal.watch;

/**
 * After Redis lost the registry's data, watches keep every entry they had (new ones are added, none is taken
 * away) for a while, so that owners can register again before consumers are told anything is gone. The hold
 * is bounded in total, whatever the data marker does: a hold is never extended by a loss seen while it runs,
 * and after it ends no new one starts for a cooldown, so a marker that someone rewrites every few hundred
 * milliseconds keeps dead providers for at most one hold in every hold-plus-cooldown. Pure logic with an
 * injected clock (Redis's, in milliseconds).
 */
public final class RecoveryHold {

    /** What a detected loss did. */
    public enum Start {
        /** A hold began. */
        STARTED,
        /** A hold was already running; it keeps its end. */
        ALREADY_HOLDING,
        /** A hold ended recently; this loss gets no hold of its own (it is counted and reported). */
        COOLING_DOWN
    }

    private final long holdMillis;
    private final long cooldownMillis;
    private long holdingUntil = Long.MIN_VALUE;
    private long suppressed;

    RecoveryHold(long holdMillis, long cooldownMillis) {
        this.holdMillis = holdMillis;
        this.cooldownMillis = cooldownMillis;
    }

    Start begin(long now) {
        if (now < holdingUntil) {
            return Start.ALREADY_HOLDING;
        }
        if (holdingUntil != Long.MIN_VALUE && now < holdingUntil + cooldownMillis) {
            suppressed++;
            return Start.COOLING_DOWN;
        }
        holdingUntil = now + holdMillis;
        return Start.STARTED;
    }

    boolean holding(long now) {
        return now < holdingUntil;
    }

    /** When the current (or last) hold ends. */
    long endsAt() {
        return holdingUntil;
    }

    /** Losses that got no hold because one had just ended, since the last call. */
    long takeSuppressed() {
        long n = suppressed;
        suppressed = 0;
        return n;
    }
}
