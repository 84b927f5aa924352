package io.github.dubboredis.it.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.github.dubboredis.cli.RegistryCli;
import io.github.dubboredis.demo.DubboApps;
import io.github.dubboredis.it.CallLoop;
import io.github.dubboredis.testkit.RedisServer;
import io.github.dubboredis.testkit.RespClient;

/** The multi-node modes (cluster=failover and cluster=replicate) with real applications calling while a node is lost. */
class MultiNodeModesUnderLoadTest extends FaultTestSupport {

    @Test
    void failoverWithTheActiveNodeKilledAndLaterMovedBackLosesNoCallAndNoRegistration() {
        RedisServer first = closeLater(RedisServer.startDefault());
        RedisServer second = closeLater(RedisServer.startDefault());
        // No Redis replication between the two: the registries carry everything over themselves.
        String registry = registry(first.address(), "backup=" + second.address());
        provider("provider-a", registry);
        provider("provider-b", registry);
        DubboApps.Consumer consumer = consumer("consumer", registry);
        CallLoop calls = closeLater(CallLoop.start(consumer.service(), 10, Duration.ofSeconds(90)));
        millisUntil(Duration.ofSeconds(10), () -> providersOf(consumer).size() == 2);
        ProviderListSampler sampler = closeLater(new ProviderListSampler(consumer, Duration.ofSeconds(60)));

        first.kill();
        long moved;
        try (RespClient onSecond = second.client()) {
            moved = millisUntil(Duration.ofSeconds(15), () -> onSecond.hgetall(PROVIDERS_KEY).size() == 2);
        }
        provider("provider-c", registry);
        millisUntil(Duration.ofSeconds(10), () -> providersOf(consumer).equals(Set.of("provider-a", "provider-b", "provider-c")));
        observeCallsFor(RESYNC_PERIOD);

        first.start(); // back, empty; nobody moves until asked
        long movedBack;
        try (RespClient onFirst = first.client()) {
            StringWriter out = new StringWriter();
            int exit = RegistryCli.run(new String[] {"failback", "-a", "redis://" + first.address() + "?backup=" + second.address()},
                    new PrintWriter(out, true), new PrintWriter(out, true));
            assertThat(exit).as(out.toString()).isZero();
            movedBack = millisUntil(Duration.ofSeconds(15), () -> onFirst.hgetall(PROVIDERS_KEY).size() == 3);
        }
        observeCallsFor(RESYNC_PERIOD);
        sampler.close();
        assertThat(sampler.everDropped()).isEmpty();
        assertThat(calls.failures()).isEmpty();
        FaultReport.row("cluster=failover, the node in use killed; later back (empty) and `dubbo-redis-cli failback` run",
                "after connect.timeout moves to the next node, re-registers there and re-reads; data marker missing there, so "
                        + "consumers hold their lists meanwhile; asked to move back, does the same on the first node",
                "all registrations on the next node " + moved + " ms after the kill, back on the first " + movedBack
                        + " ms after failback; no provider dropped",
                calls.failures().size(), calls.calls(), "none");
    }

    @Test
    void replicateWithOneOfThreeNodesKilledAndRestartedEmptyLosesNoCallAndNoRegistration() throws Exception {
        RedisServer a = closeLater(RedisServer.startDefault());
        RedisServer b = closeLater(RedisServer.startDefault());
        RedisServer c = closeLater(RedisServer.startDefault());
        String registry = registry(a.address(), "backup=" + b.address() + "," + c.address() + "&cluster=replicate");
        provider("provider-a", registry);
        provider("provider-b", registry);
        DubboApps.Consumer consumer = consumer("consumer", registry);
        CallLoop calls = closeLater(CallLoop.start(consumer.service(), 10, Duration.ofSeconds(90)));
        millisUntil(Duration.ofSeconds(10), () -> providersOf(consumer).size() == 2);
        ProviderListSampler sampler = closeLater(new ProviderListSampler(consumer, Duration.ofSeconds(60)));

        b.kill();
        provider("provider-c", registry);
        millisUntil(Duration.ofSeconds(10), () -> providersOf(consumer).size() == 3);
        b.restartEmpty();
        long repopulated;
        try (RespClient onB = b.client()) {
            repopulated = millisUntil(Duration.ofSeconds(15), () -> onB.hgetall(PROVIDERS_KEY).size() == 3);
        }
        observeCallsFor(RESYNC_PERIOD);
        sampler.close();
        assertThat(sampler.everDropped()).isEmpty();
        assertThat(calls.failures()).isEmpty();
        FaultReport.row("cluster=replicate, one of three nodes killed, a provider added, the node restarted empty",
                "writes go on to the nodes that answer; the returning node is written again in full by every registry",
                "returning node repopulated " + repopulated + " ms after its restart; no provider dropped",
                calls.failures().size(), calls.calls(), "none");
    }
}
