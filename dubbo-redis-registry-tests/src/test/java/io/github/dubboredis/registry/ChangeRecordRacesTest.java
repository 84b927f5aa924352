package io.github.dubboredis.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.github.dubboredis.internal.engine.RegistryEngine;
import io.github.dubboredis.internal.model.CategoryKey;
import io.github.dubboredis.internal.model.KeySnapshot;
import io.github.dubboredis.internal.model.RegistryEntry;
import io.github.dubboredis.internal.watch.Watch;
import io.github.dubboredis.support.Engines;
import io.github.dubboredis.testkit.RedisPerClass;
import io.github.dubboredis.testkit.RespClient;

/**
 * Change records and whole reads race on real Redis: a read's two commands may run before, around or after a
 * change, and the change's record may reach the subscriber before or after the read's answer. Whatever the
 * order, the subscriber ends with what Redis holds, and a removal is never taken for an unannounced vanishing
 * (which would keep a departed provider for a settle period).
 */
class ChangeRecordRacesTest {

    @RegisterExtension
    static final RedisPerClass redis = new RedisPerClass();

    @Test
    void aRemovalRacingAReadIsSeenAtOnceWhateverTheOrder() {
        try (Engines engines = new Engines(); RespClient raw = redis.client()) {
            RegistryEngine consumer = engines.open(Engines.settings("redis://" + redis.address() + "?group=race"));
            RegistryEngine provider = engines.open(Engines.settings("redis://" + redis.address() + "?group=race&timeout=4999"));
            CategoryKey key = consumer.keyspace().key("com.foo.Race", "providers");
            List<List<String>> heard = new CopyOnWriteArrayList<>();
            consumer.subscriptions().start(Watch.of(List.of(key), snapshots -> {
                for (KeySnapshot s : snapshots) {
                    heard.add(s.liveEntries().stream().map(RegistryEntry::field).toList());
                }
            })).join();
            for (int round = 0; round < 20; round++) {
                String field = "dubbo://10.0.0." + round + ":1/com.foo.Race?interface=com.foo.Race";
                provider.registrations().register(key, field, true).join();
                await().atMost(Duration.ofSeconds(2)).until(() -> heard.get(heard.size() - 1).contains(field));
                // An announcement no record explains makes the consumer read; the removal races that read.
                raw.call("PUBLISH", key.redisKey(), "register");
                provider.registrations().unregister(key, field).join();
                await("round " + round).atMost(Duration.ofSeconds(2))
                        .until(() -> !heard.get(heard.size() - 1).contains(field));
            }
            assertThat(heard.get(heard.size() - 1)).isEmpty();
        }
    }
}
