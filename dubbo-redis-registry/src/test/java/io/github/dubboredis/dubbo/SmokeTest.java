package io.github.dubboredis.dubbo;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.dubbo.common.URL;
import org.apache.dubbo.registry.NotifyListener;
import org.apache.dubbo.registry.Registry;
import org.apache.dubbo.rpc.model.ApplicationModel;
import org.apache.dubbo.rpc.model.FrameworkModel;
import org.junit.jupiter.api.Test;

import io.github.dubboredis.testkit.RedisServer;
import io.github.dubboredis.testkit.RespClient;

class SmokeTest {

    @Test
    void registersAndNotifies() throws Exception {
        try (RedisServer redis = RedisServer.startDefault()) {
            ApplicationModel app = new FrameworkModel().newApplication();
            URL registryUrl = URL.valueOf("redis://" + redis.address() + "?file-cache=false&session=3000").setScopeModel(app);
            Registry registry = app.getExtensionLoader(org.apache.dubbo.registry.RegistryFactory.class).getExtension("redis").getRegistry(registryUrl);
            URL provider = URL.valueOf("dubbo://127.0.0.1:20880/com.foo.Bar?interface=com.foo.Bar&side=provider&version=1.0").setScopeModel(app);
            registry.register(provider);
            List<List<URL>> notified = new CopyOnWriteArrayList<>();
            NotifyListener l = notified::add;
            URL consumer = URL.valueOf("consumer://127.0.0.1/com.foo.Bar?interface=com.foo.Bar&category=providers,configurators,routers&version=1.0").setScopeModel(app);
            registry.subscribe(consumer, l);
            System.out.println("NOTIFIED " + notified);
            try (RespClient c = redis.client()) {
                System.out.println("KEYS " + c.scan("*"));
                System.out.println("HASH " + c.hgetall("/dubbo/com.foo.Bar/providers"));
            }
            registry.unregister(provider);
            Thread.sleep(300);
            System.out.println("NOTIFIED2 " + notified);
            registry.destroy();
            assertThat(notified).isNotEmpty();
        }
    }
}
