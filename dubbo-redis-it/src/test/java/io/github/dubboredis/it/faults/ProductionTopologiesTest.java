package io.github.dubboredis.it.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.github.dubboredis.demo.DubboApps;
import io.github.dubboredis.it.CallLoop;
import io.github.dubboredis.testkit.RedisCluster;
import io.github.dubboredis.testkit.RedisSentinelSet;
import io.github.dubboredis.testkit.RedisServer;
import io.github.dubboredis.testkit.RespClient;

/** Redis Sentinel and Redis Cluster, each through the loss of its master, with applications calling. */
class ProductionTopologiesTest extends FaultTestSupport {

    @Test
    void sentinelFailoverIsFollowedWithoutAFailedCallOrALostRegistration() {
        RedisSentinelSet sentinels = closeLater(RedisSentinelSet.start("mymaster", 3));
        String registry = registry(sentinels.firstSentinelAddress(),
                "backup=" + sentinels.otherSentinelAddresses() + "&redis-client=sentinel&master.name=mymaster");
        provider("provider-a", registry);
        provider("provider-b", registry);
        DubboApps.Consumer consumer = consumer("consumer", registry);
        CallLoop calls = closeLater(CallLoop.start(consumer.service(), 10, Duration.ofSeconds(120)));
        millisUntil(Duration.ofSeconds(10), () -> providersOf(consumer).size() == 2);
        ProviderListSampler sampler = closeLater(new ProviderListSampler(consumer, Duration.ofSeconds(90)));

        long killed = System.nanoTime();
        sentinels.killMasterAndAwaitFailover(Duration.ofSeconds(30));
        long promoted = (System.nanoTime() - killed) / 1_000_000;
        long back;
        try (RespClient onNewMaster = sentinels.replica().client()) {
            back = millisUntil(Duration.ofSeconds(20), () -> onNewMaster.hgetall(PROVIDERS_KEY).size() == 2);
        }
        provider("provider-c", registry);
        millisUntil(Duration.ofSeconds(15), () -> providersOf(consumer).size() == 3);
        observeCallsFor(RESYNC_PERIOD);
        sampler.close();
        assertThat(sampler.everDropped()).isEmpty();
        assertThat(calls.failures()).isEmpty();
        FaultReport.row("Sentinel: master killed (a replica and 3 sentinels)",
                "the client asks the sentinels for the new master and reconnects; everything is re-registered there "
                        + "(whatever asynchronous replication lost) and re-read",
                "replica promoted after " + promoted + " ms; registrations on it " + back + " ms later; no provider dropped",
                calls.failures().size(), calls.calls(), "none");
    }

    @Test
    void clusterSpreadsKeysFollowsAFailoverAndLosesNothing() {
        RedisCluster cluster = closeLater(RedisCluster.start(3, 1));
        // A lease must outlast the failover: Redis Cluster needs a few seconds to promote a replica and the
        // client a few more to learn it (its writes to those slots fail meanwhile). 15 s here; 60 s by default.
        String registry = registry(cluster.firstAddress(), "backup=" + cluster.otherAddresses() + "&redis-client=cluster")
                .replace("session=" + SESSION, "session=15000");
        provider("provider-a", registry);
        provider("provider-b", registry);
        DubboApps.Consumer consumer = consumer("consumer", registry);
        CallLoop calls = closeLater(CallLoop.start(consumer.service(), 10, Duration.ofSeconds(120)));
        millisUntil(Duration.ofSeconds(10), () -> providersOf(consumer).size() == 2);

        // The registry's keys live on more than one master: slots spread them.
        Set<Integer> mastersWithKeys = new HashSet<>();
        List<RedisServer> masters = cluster.masters();
        for (int i = 0; i < masters.size(); i++) {
            try (RespClient c = masters.get(i).client()) {
                if (!c.scan("*").isEmpty()) {
                    mastersWithKeys.add(i);
                }
            }
        }
        assertThat(mastersWithKeys).as("masters holding registry keys").hasSizeGreaterThan(1);

        ProviderListSampler sampler = closeLater(new ProviderListSampler(consumer, Duration.ofSeconds(90)));
        long killed = System.nanoTime();
        // Kill the master that holds the providers hash.
        int holder = -1;
        for (int i = 0; i < masters.size() && holder < 0; i++) {
            try (RespClient c = masters.get(i).client()) {
                if (c.scan(PROVIDERS_KEY).size() == 1) {
                    holder = i;
                }
            }
        }
        assertThat(holder).isNotNegative();
        cluster.killMasterAndAwaitFailover(holder, Duration.ofSeconds(30));
        long failedOver = (System.nanoTime() - killed) / 1_000_000;
        provider("provider-c", registry);
        long seen = millisUntil(Duration.ofSeconds(20), () -> providersOf(consumer).size() == 3);
        observeCallsFor(RESYNC_PERIOD);
        sampler.close();
        assertThat(sampler.everDropped()).isEmpty();
        assertThat(calls.failures()).isEmpty();
        FaultReport.row("Redis Cluster (3 masters, 3 replicas): the master holding the providers hash killed",
                "the client follows MOVED/ASK and refreshes the topology; renewals and reads refused during the failover are "
                        + "retried; pub/sub resubscribes on another node",
                "replica promoted after " + failedOver + " ms; a provider started after it seen in " + seen
                        + " ms; no provider dropped", calls.failures().size(), calls.calls(), "none");
    }
}
