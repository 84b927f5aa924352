package io.github.dubboredis.internal.time;

import io.github.dubboredis.internal.model.LeaseTimings;

/**
 * Whether expiries can be trusted right now. While Redis is unreachable or stalled nobody can renew,
 * so every lease runs out at once; when Redis answers again, those leases are not dead, their owners
 * simply had no chance. Expiries are therefore trusted again only a settle period (see
 * {@link LeaseTimings#settlePeriod()}: owners reconnect, then renew) after Redis answered again: readers
 * keep such entries, reapers leave them, and owners renew them meanwhile. Without this, a Redis stall longer than a lease would empty every consumer.
 */
public final class Availability {

    private final RedisClock clock;
    private final long settleMillis;
    private volatile boolean failing;
    private volatile long trustedFrom = Long.MIN_VALUE;

    public Availability(RedisClock clock, LeaseTimings timings) {
        this.clock = clock;
        this.settleMillis = timings.settlePeriod().toMillis();
    }

    /** A command failed for want of Redis (unreachable, timed out). */
    public void failed() {
        failing = true;
    }

    /** A command succeeded. */
    public void succeeded() {
        if (failing) {
            failing = false;
            trustedFrom = clock.now() + settleMillis;
        }
    }

    /** Whether an entry past its expiry may be taken for dead now. */
    public boolean expiriesTrusted() {
        return !failing && clock.now() >= trustedFrom;
    }
}
