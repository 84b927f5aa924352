package io.github.dubboredis.dubbo;

import static io.github.dubboredis.support.Registries.url;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;

import org.apache.dubbo.common.URL;
import org.junit.jupiter.api.Test;

import io.github.dubboredis.support.Notifications;
import io.github.dubboredis.support.Registries;
import io.github.dubboredis.testkit.RedisServer;
import io.github.dubboredis.testkit.RespClient;

/** Redis on the IPv6 loopback, written as the README documents it: redis://[::1]:port and backup=[::1]:port. */
class Ipv6Test {

    @Test
    void aRegistryOnIpv6RegistersAndNotifiesAndFailsOverToAnIpv6Backup() {
        try (RedisServer first = RedisServer.builder().ipv6().build().start();
                RedisServer second = RedisServer.builder().ipv6().build().start();
                Registries registries = new Registries(); RespClient onSecond = second.client()) {
            assertThat(first.address()).startsWith("[::1]:");
            String params = "backup=" + second.address() + "&connect.timeout=500&reconnect.period=200";
            RedisRegistry provider = registries.create(first.address(), params);
            RedisRegistry consumer = registries.create(first.address(), params + "&timeout=4999");
            URL p = url(provider, "dubbo://10.0.0.1:20880/com.foo.Six?interface=com.foo.Six");
            provider.register(p);
            Notifications heard = new Notifications();
            consumer.subscribe(url(consumer, "consumer://10.0.0.2/com.foo.Six?interface=com.foo.Six&category=providers"), heard);
            assertThat(heard.current("com.foo.Six", "providers")).containsExactly(p);

            first.kill();
            await().atMost(Duration.ofSeconds(10)).until(() -> onSecond.hgetall("/dubbo/com.foo.Six/providers").size() == 1);
            await().atMost(Duration.ofSeconds(10)).until(() -> heard.current("com.foo.Six", "providers").equals(List.of(p)));
        }
    }
}
