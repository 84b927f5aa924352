package io.github.dubboredis.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;

import io.github.dubboredis.config.RedisRegistrySettings;
import io.github.dubboredis.internal.engine.RegistryEngine;
import io.github.dubboredis.internal.model.CategoryKey;
import io.github.dubboredis.support.Engines;
import io.github.dubboredis.testkit.RedisBinary;
import io.github.dubboredis.testkit.RedisServer;
import io.github.dubboredis.testkit.RespClient;

/** Reaping stays cheap when many registries share one Redis: one full scan per period, whoever does it. */
class SharedReapingTest {

    @Test
    void ofManyRegistriesOnlyOneSweepsTheWholeRootInAPeriod() {
        try (RedisServer redis = RedisServer.startDefault(); RespClient raw = redis.client()) {
            RedisRegistrySettings settings = Engines.settings("redis://" + redis.address() + "?session=60000");
            List<RegistryEngine> engines = new ArrayList<>();
            try (Engines opened = new Engines()) {
                for (int i = 0; i < 8; i++) {
                    engines.add(opened.open(settings));
                }
                long scansBefore = calls(raw, "scan");
                List<CompletableFuture<Integer>> sweeps = new ArrayList<>();
                for (RegistryEngine e : engines) {
                    sweeps.add(e.maintenance().sweepIfElectedNow());
                }
                long elected = sweeps.stream().map(CompletableFuture::join).filter(n -> n >= 0).count();
                assertThat(elected).isEqualTo(1);
                // One sweep: the root and the application instances, one SCAN page each.
                assertThat(calls(raw, "scan") - scansBefore).isEqualTo(2);
            }
        }
    }

    @Test
    void everyAvailableRedisVersionRunsTheScripts() {
        for (RedisBinary binary : RedisBinary.all()) {
            try (RedisServer redis = RedisServer.builder().binary(binary).build().start(); RespClient raw = redis.client()) {
                RedisRegistrySettings settings = Engines.settings("redis://" + redis.address() + "?session=1000");
                try (Engines engines = new Engines()) {
                    RegistryEngine engine = engines.open(settings);
                    CategoryKey key = engine.keyspace().key("com.foo.Versions", "providers");
                    String live = "dubbo://10.0.0.1:1/com.foo.Versions?interface=com.foo.Versions";
                    engine.registrations().register(key, live, true).join();
                    // An older registry's entry, long expired: swept.
                    raw.call("HSET", key.redisKey(), "dubbo://10.0.0.2:1/com.foo.Versions?interface=com.foo.Versions", "1");
                    // A dead registry of ours: its lease expired at 1000, its entry carries that expiry.
                    String deadOwner = "deadOwnerOfTheTestAaaa";
                    String deadExpiry = Long.toString(System.currentTimeMillis() - 1000);
                    raw.call("ZADD", engine.keyspace().ownersKey(), deadExpiry, deadOwner);
                    raw.call("SADD", engine.keyspace().ownerKeysKey(deadOwner), key.redisKey());
                    raw.call("HSET", key.redisKey(), "dubbo://10.0.0.3:1/com.foo.Versions?interface=com.foo.Versions", deadExpiry);
                    assertThat(engine.maintenance().reapNow().join()).as("reap on %s", binary).isEqualTo(1);
                    assertThat(engine.maintenance().sweepNow().join()).as("sweep on %s", binary).isEqualTo(1);
                    assertThat(raw.hgetall(key.redisKey())).as("on %s", binary).containsOnlyKeys(live);
                }
            }
        }
    }

    private static long calls(RespClient raw, String command) {
        String stats = raw.info("commandstats", "cmdstat_" + command);
        return stats == null ? 0 : Long.parseLong(stats.replaceFirst("^calls=(\\d+),.*$", "$1"));
    }
}
