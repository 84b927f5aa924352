package io.github.dubboredis.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.github.dubboredis.dubbo.RedisRegistry;
import io.github.dubboredis.internal.model.Keyspace;
import io.github.dubboredis.support.LogCapture;
import io.github.dubboredis.support.Registries;
import io.github.dubboredis.testkit.RedisServer;
import io.github.dubboredis.testkit.RespClient;

/**
 * Finding 1 of issue 13: the sweep read a whole hash inside one script, so a 2,000,000-entry hash under the
 * root held Redis for 5 to 8 s per sweep (other clients got BUSY, SCRIPT KILL answered UNKILLABLE), and a
 * legitimate 100,000-entry key cost 0.4 s of blocked Redis per sweep. Now every server-side step walks one
 * HSCAN page of 256 entries.
 *
 * <p>The proof does not rest on a stopwatch (this machine is shared and often loaded): the walk is counted
 * in steps, and Redis's own slow log must show no step anywhere near what one whole-hash script cost. The
 * slowest step, as the slow log measured it, is printed; the benchmark {@code ./bench.sh bigkeys} measures
 * what other clients see.
 */
class HugeHashSweepTest {

    private static final String SWEPT = "/dubbo/com.foo.Swept/providers";
    private static final String REAPED = "/dubbo/com.foo.Reaped/providers";
    private static final int EXPIRED = 120_000;
    private static final int LIVE = 30_000;
    private static final int DEAD_OWNERS = 50_000;
    /** Far below the 0.4 s one script cost for 100,000 entries, far above a step even on a loaded machine. */
    private static final long MAX_STEP_MICROS = 250_000;

    @Test
    void sweepingAndReapingHugeHashesHoldRedisForOneSmallStepAtATime() {
        try (RedisServer redis = RedisServer.startDefault(); RespClient raw = HostileRedis.client(redis);
                Registries registries = new Registries(); LogCapture log = new LogCapture()) {
            long now = HostileRedis.redisNow(raw);
            // Entries of older registries long expired, beside live ones.
            HostileRedis.fillHash(raw, SWEPT, 0, EXPIRED, "dubbo://10.1.%d:20880/com.foo.Swept?interface=com.foo.Swept", "1000");
            HostileRedis.fillHash(raw, SWEPT, 0, LIVE, "dubbo://10.2.%d:20880/com.foo.Swept?interface=com.foo.Swept",
                    Long.toString(now + 3_600_000));
            // A dead registry of ours that owned many entries: its lease expired a second ago.
            Keyspace keyspace = new Keyspace("/dubbo/");
            String deadOwner = "deadOwnerOfAHugeKeyAaaa";
            String leaseExpiry = Long.toString(now - 1000);
            raw.call("ZADD", keyspace.ownersKey(), leaseExpiry, deadOwner);
            raw.call("SADD", keyspace.ownerKeysKey(deadOwner), REAPED);
            HostileRedis.fillHash(raw, REAPED, 0, DEAD_OWNERS, "dubbo://10.3.%d:20880/com.foo.Reaped?interface=com.foo.Reaped",
                    leaseExpiry);
            HostileRedis.slowLogFrom(raw, 1000);

            // A long session keeps the registry's own timers out of the way: the test runs each job once.
            RedisRegistry registry = registries.create(redis.address(), "session=600000");
            long stepsBefore = HostileRedis.calls(raw, "evalsha") + HostileRedis.calls(raw, "fcall");
            registry.engine().maintenance().reapNow().join();
            registry.engine().maintenance().sweepNow().join();
            long steps = HostileRedis.calls(raw, "evalsha") + HostileRedis.calls(raw, "fcall") - stepsBefore;

            assertThat(raw.number("HLEN", SWEPT)).as("the live entries stay").isEqualTo(LIVE);
            assertThat(raw.number("EXISTS", REAPED)).as("the dead owner's entries are gone").isZero();
            assertThat(raw.call("ZSCORE", keyspace.ownersKey(), deadOwner)).as("and its lease ended").isNull();
            // HSCAN's COUNT is a hint, so a page holds about 256 fields: some 800 steps in all, not 2.
            assertThat(steps).as("server-side steps").isGreaterThan((EXPIRED + LIVE + DEAD_OWNERS) / 512);
            long longest = HostileRedis.longestOfOthers(raw);
            System.out.printf("%d entries walked in %d steps; the slowest command of the registry held Redis %.1f ms "
                    + "(slow log)%n", EXPIRED + LIVE + DEAD_OWNERS, steps, longest / 1000.0);
            assertThat(HostileRedis.slowCommandsOfOthers(raw)).as("registry commands that held Redis for long")
                    .allSatisfy(c -> assertThat(c.micros()).as(c.toString()).isLessThan(MAX_STEP_MICROS));
            // And the log says it once per key, not once per step.
            assertThat(log.lines()).filteredOn(l -> l.contains("expired registration(s) from")).hasSize(2)
                    .anySatisfy(l -> assertThat(l).contains("Removed " + EXPIRED + " expired").contains(SWEPT))
                    .anySatisfy(l -> assertThat(l).contains("Removed " + DEAD_OWNERS + " expired").contains(REAPED));
        }
    }
}
