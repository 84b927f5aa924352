package io.github.dubboredis.it.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.github.dubboredis.demo.DubboApps;
import io.github.dubboredis.it.CallLoop;
import io.github.dubboredis.testkit.RedisServer;
import io.github.dubboredis.testkit.RespClient;
import io.github.dubboredis.testkit.TcpProxy;

/** Redis goes away and comes back, with its data or without; the applications keep calling throughout. */
class RedisRestartTest extends FaultTestSupport {

    @Test
    void restartWithDataLosesNoCallAndShowsChangesMadeDuringTheOutage() throws Exception {
        RedisServer redis = closeLater(RedisServer.startDefault());
        // Providers come back slowly (long back-off); the consumer, on its own connection (through a
        // pass-through proxy, as a separate process would be), quickly: it reads the saved, now stale,
        // expiries before anyone could renew them.
        String registry = registry(redis.address(), "reconnect.period=3000");
        TcpProxy consumerLink = closeLater(new TcpProxy(redis.host(), redis.port()));
        provider("provider-a", registry);
        DubboApps.Provider leaving = provider("provider-b", registry);
        DubboApps.Consumer consumer = consumer("consumer", registry(consumerLink.address(), ""));
        CallLoop calls = closeLater(CallLoop.start(consumer.service(), 10, Duration.ofSeconds(90)));
        millisUntil(Duration.ofSeconds(10), () -> providersOf(consumer).size() == 2);

        ProviderListSampler sampler = closeLater(new ProviderListSampler(consumer, Duration.ofSeconds(60)));
        try (RespClient raw = redis.client()) {
            raw.call("SAVE");
        }
        redis.kill();
        long outageStart = System.nanoTime();
        provider("provider-c", registry);      // registers while Redis is away
        leaving.close();                        // unregisters while Redis is away
        // Longer than a lease: every saved expiry is in the past when Redis returns.
        while ((System.nanoTime() - outageStart) / 1_000_000 < SESSION + 1000) {
            Thread.sleep(100);
        }
        redis.start();                          // same port, same data (saved before the kill)
        long downMillis = (System.nanoTime() - outageStart) / 1_000_000;

        long healed = millisUntil(Duration.ofSeconds(15),
                () -> providersOf(consumer).equals(Set.of("provider-a", "provider-c")));
        try (RespClient raw = redis.client()) {
            millisUntil(Duration.ofSeconds(5), () -> raw.hgetall(PROVIDERS_KEY).size() == 2);
        }
        sampler.close();
        assertThat(sampler.everDropped()).as("providers dropped by the consumer").containsOnly("provider-b");
        assertThat(calls.failures()).as("failed calls").isEmpty();
        FaultReport.row("Redis restarted with its data, down " + downMillis + " ms (longer than a lease); a provider added and one removed meanwhile",
                "reconnects with back-off; re-registers what it owns; retries the failed register/unregister; re-reads every watched key; "
                        + "does not take the stale expiries for deaths until owners could renew",
                healed + " ms after Redis was back", calls.failures().size(), calls.calls(), "none");
    }

    @Test
    void restartEmptyBringsEveryProviderBackWithinARenewalPeriodAndNoConsumerSeesAnEmptyList() throws Exception {
        RedisServer redis = closeLater(RedisServer.startDefault());
        // The providers reach Redis through a proxy that stays cut for 1 s after the restart, so the consumer
        // certainly reads the empty Redis before anyone registered again. (The consumer holds its list for
        // session/2, 2 s here: providers that are back within that never leave it.)
        TcpProxy providerLink = closeLater(new TcpProxy(redis.host(), redis.port()));
        String providers = registry(providerLink.address(), "");
        provider("provider-a", providers);
        provider("provider-b", providers);
        DubboApps.Consumer consumer = consumer("consumer", registry(redis.address(), ""));
        CallLoop calls = closeLater(CallLoop.start(consumer.service(), 10, Duration.ofSeconds(90)));
        millisUntil(Duration.ofSeconds(10), () -> providersOf(consumer).size() == 2);
        ProviderListSampler sampler = closeLater(new ProviderListSampler(consumer, Duration.ofSeconds(60)));

        providerLink.cut();
        redis.restartEmpty();
        long restarted = System.nanoTime();
        Thread.sleep(1000);
        providerLink.heal();
        long back;
        try (RespClient raw = redis.client()) {
            millisUntil(Duration.ofSeconds(15), () -> raw.hgetall(PROVIDERS_KEY).size() == 2);
            back = (System.nanoTime() - restarted) / 1_000_000 - 1000;
        }
        observeCallsFor(RESYNC_PERIOD);
        sampler.close();
        assertThat(back).as("ms from the providers reaching Redis again to all registered").isLessThanOrEqualTo(RENEW_PERIOD);
        assertThat(sampler.smallestSize()).as("smallest provider list a consumer held").isEqualTo(2);
        assertThat(calls.failures()).as("failed calls").isEmpty();
        FaultReport.row("Redis restarted empty (the providers' link kept cut 1 s longer, so consumers read it empty first)",
                "sees the data marker gone: consumers keep their lists for session/2 while every registry re-registers at once",
                "all providers back " + back + " ms after they could reach Redis (renew period " + RENEW_PERIOD
                        + " ms); no consumer list ever shrank",
                calls.failures().size(), calls.calls(), "none");
    }

    @Test
    void flushAllBringsEveryProviderBackWithinARenewalPeriodAndNoConsumerSeesAnEmptyList() {
        RedisServer redis = closeLater(RedisServer.startDefault());
        String registry = registry(redis.address(), "reconnect.period=1000");
        // The consumer on a connection of its own, which comes back first and reads an empty Redis.
        TcpProxy consumerLink = closeLater(new TcpProxy(redis.host(), redis.port()));
        provider("provider-a", registry);
        provider("provider-b", registry);
        DubboApps.Consumer consumer = consumer("consumer", registry(consumerLink.address(), "resync.period=200"));
        CallLoop calls = closeLater(CallLoop.start(consumer.service(), 10, Duration.ofSeconds(90)));
        millisUntil(Duration.ofSeconds(10), () -> providersOf(consumer).size() == 2);
        ProviderListSampler sampler = closeLater(new ProviderListSampler(consumer, Duration.ofSeconds(60)));

        long back;
        try (RespClient raw = redis.client()) {
            raw.call("FLUSHALL");
            back = millisUntil(Duration.ofSeconds(15), () -> raw.hgetall(PROVIDERS_KEY).size() == 2);
        }
        // Anti-entropy (every 200 ms for this consumer) reads the flushed Redis meanwhile: it must not empty anyone's list.
        observeCallsFor(RESYNC_PERIOD);
        try (RespClient raw = redis.client()) {
            assertThat(raw.hgetall(PROVIDERS_KEY)).hasSize(2);
        }
        sampler.close();
        // The next renewal writes the entries again (HSET creates them) within one renew period; the poll above
        // sees that up to one poll and one HGETALL later.
        assertThat(back).as("ms from the flush to all registered").isLessThanOrEqualTo(RENEW_PERIOD + MEASURING_SLACK);
        assertThat(sampler.smallestSize()).isEqualTo(2);
        assertThat(calls.failures()).isEmpty();
        FaultReport.row("FLUSHALL (no reconnect, no message)",
                "the next renewal finds its entries gone and checks the marker; as for a restart empty",
                "all providers back " + back + " ms after the flush; no consumer list ever shrank",
                calls.failures().size(), calls.calls(), "none");
    }
}
