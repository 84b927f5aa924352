package io.github.dubboredis.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.apache.dubbo.common.URL;
import org.junit.jupiter.api.Test;

import io.github.dubboredis.config.RedisRegistrySettings;
import io.github.dubboredis.config.RegistryUrlParser;
import io.github.dubboredis.testkit.RedisBinary;
import io.github.dubboredis.testkit.RedisServer;
import io.github.dubboredis.testkit.RespClient;

/** Reaping stays cheap when many registries share one Redis: one full scan per period, whoever does it. */
class SharedReapingTest {

    @Test
    void ofManyRegistriesOnlyOneSweepsTheWholeRootInAPeriod() {
        try (RedisServer redis = RedisServer.startDefault(); RespClient raw = redis.client()) {
            RedisRegistrySettings settings = RegistryUrlParser.parse(URL.valueOf("redis://" + redis.address() + "?session=60000"));
            List<RegistryEngine> engines = new ArrayList<>();
            try {
                for (int i = 0; i < 8; i++) {
                    engines.add(RegistryEngine.open(settings, RegistryObserver.NONE));
                }
                long scansBefore = calls(raw, "scan");
                List<CompletableFuture<Integer>> sweeps = new ArrayList<>();
                for (RegistryEngine e : engines) {
                    sweeps.add(e.sweepIfElectedNow());
                }
                long elected = sweeps.stream().map(CompletableFuture::join).filter(n -> n >= 0).count();
                assertThat(elected).isEqualTo(1);
                assertThat(calls(raw, "scan") - scansBefore).isEqualTo(1);
            } finally {
                engines.forEach(RegistryEngine::close);
            }
        }
    }

    @Test
    void everyAvailableRedisVersionRunsTheScripts() {
        for (RedisBinary binary : RedisBinary.all()) {
            try (RedisServer redis = RedisServer.builder().binary(binary).build().start(); RespClient raw = redis.client()) {
                RedisRegistrySettings settings = RegistryUrlParser.parse(URL.valueOf("redis://" + redis.address() + "?session=1000"));
                try (RegistryEngine engine = RegistryEngine.open(settings, RegistryObserver.NONE)) {
                    CategoryKey key = engine.root().key("com.foo.Versions", "providers");
                    engine.register(key, "dubbo://10.0.0.1:1/com.foo.Versions?interface=com.foo.Versions", true).join();
                    raw.call("HSET", key.redisKey(), "dubbo://10.0.0.2:1/com.foo.Versions?interface=com.foo.Versions", "1");
                    raw.call("ZADD", engine.root().leaseIndexKey(), "1",
                            key.redisKey() + "\n" + "dubbo://10.0.0.3:1/com.foo.Versions?interface=com.foo.Versions");
                    raw.call("HSET", key.redisKey(), "dubbo://10.0.0.3:1/com.foo.Versions?interface=com.foo.Versions", "1");
                    assertThat(engine.reapNow().join()).as("reap on %s", binary).isEqualTo(1);
                    assertThat(engine.sweepNow().join()).as("sweep on %s", binary).isEqualTo(1);
                    assertThat(raw.hgetall(key.redisKey())).as("on %s", binary).hasSize(1);
                }
            }
        }
    }

    private static long calls(RespClient raw, String command) {
        String stats = raw.info("commandstats", "cmdstat_" + command);
        return stats == null ? 0 : Long.parseLong(stats.replaceFirst("^calls=(\\d+),.*$", "$1"));
    }
}
