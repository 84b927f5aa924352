package io.github.dubboredis.internal.model;

import java.time.Duration;

/**
 * The periods that follow from the session timeout. {@code session} is a promise to consumers: a
 * provider that dies without unregistering is gone from them within one session. So an entry is stamped
 * to expire earlier than that, leaving room for the reaper to notice and for the notification to travel:
 *
 * <pre>
 *   reap period  = session / 10, kept within 250 ms .. 5 s
 *   lease TTL    = session - 2 x reap period       (the expiry written into the hash)
 *   renew period = lease TTL / 3                    (two renewals may fail before an entry expires)
 *   sweep period = session / 2                      (the full scan for entries of older registries)
 *   recovery     = session / 2                      (after Redis lost its data, watches keep what they
 *                                                    had while owners register again; older registries
 *                                                    renew every session / 2)
 *   resync       = resync.period, default session / 2 (anti-entropy: every watched key read again)
 * </pre>
 */
public final class LeaseTimings {

    private static final Duration MIN_REAP_PERIOD = Duration.ofMillis(250);
    private static final Duration MAX_REAP_PERIOD = Duration.ofSeconds(5);

    private final Duration session;
    private final Duration reapPeriod;
    private final Duration leaseTtl;
    private final Duration renewPeriod;
    private final Duration sweepPeriod;
    private final Duration reapGrace;
    private final Duration recoveryPeriod;
    private final Duration resyncPeriod;
    private final Duration reconnectPeriod;

    /** With the default {@code reconnect.period} (3 s). */
    public LeaseTimings(Duration session, Duration reapGrace, Duration resyncPeriod) {
        this(session, reapGrace, resyncPeriod, Duration.ofSeconds(3));
    }

    /**
     * @param reconnectPeriod the longest reconnect back-off, taken as everyone's: after Redis returns, an
     *     owner may need that long to reconnect before it can renew
     */
    public LeaseTimings(Duration session, Duration reapGrace, Duration resyncPeriod, Duration reconnectPeriod) {
        this.session = session;
        this.reconnectPeriod = reconnectPeriod;
        Duration reap = session.dividedBy(10);
        if (reap.compareTo(MIN_REAP_PERIOD) < 0) {
            reap = MIN_REAP_PERIOD;
        } else if (reap.compareTo(MAX_REAP_PERIOD) > 0) {
            reap = MAX_REAP_PERIOD;
        }
        this.reapPeriod = reap;
        this.leaseTtl = session.minus(reap.multipliedBy(2));
        this.renewPeriod = leaseTtl.dividedBy(3);
        this.sweepPeriod = session.dividedBy(2);
        this.reapGrace = reapGrace;
        this.recoveryPeriod = session.dividedBy(2);
        this.resyncPeriod = resyncPeriod;
    }

    public Duration session() {
        return session;
    }

    public Duration reapPeriod() {
        return reapPeriod;
    }

    public Duration leaseTtl() {
        return leaseTtl;
    }

    public Duration renewPeriod() {
        return renewPeriod;
    }

    public Duration sweepPeriod() {
        return sweepPeriod;
    }

    public Duration reapGrace() {
        return reapGrace;
    }

    /**
     * How long the owners of entries may need to write them again once Redis is back (their reconnect
     * back-off, then a renew period, plus a reap period for a reaper to notice): expiries that passed
     * during an outage are not taken for deaths before, nor entries that vanished without an announcement.
     */
    public Duration settlePeriod() {
        return reconnectPeriod.plus(renewPeriod).plus(reapPeriod);
    }

    public Duration recoveryPeriod() {
        return recoveryPeriod;
    }

    /** The anti-entropy period; zero when switched off. */
    public Duration resyncPeriod() {
        return resyncPeriod;
    }

    @Override
    public String toString() {
        return "session=" + session.toMillis() + "ms, leaseTtl=" + leaseTtl.toMillis() + "ms, renew every "
                + renewPeriod.toMillis() + "ms, reap every " + reapPeriod.toMillis() + "ms, sweep every "
                + sweepPeriod.toMillis() + "ms, grace " + reapGrace.toMillis() + "ms, resync every "
                + resyncPeriod.toMillis() + "ms";
    }
}
