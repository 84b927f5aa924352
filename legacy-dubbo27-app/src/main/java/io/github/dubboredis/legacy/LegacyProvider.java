package io.github.dubboredis.legacy;

import java.util.concurrent.CountDownLatch;

import org.apache.dubbo.config.ApplicationConfig;
import org.apache.dubbo.config.ProtocolConfig;
import org.apache.dubbo.config.RegistryConfig;
import org.apache.dubbo.config.ServiceConfig;

import io.github.dubboredis.demo.GreetingService;

/**
 * A provider on Dubbo 2.7.23 and its original Redis registry: {@code LegacyProvider <name> <registry
 * address> <port>}. Prints {@code READY <name> <port>}; unexports (HDEL + PUBLISH unregister) and
 * exits when its standard input closes.
 */
public final class LegacyProvider {

    private LegacyProvider() {
    }

    public static void main(String[] args) throws Exception {
        final String name = args[0];
        ApplicationConfig application = new ApplicationConfig(name);
        application.setQosEnable(false);
        RegistryConfig registry = new RegistryConfig(args[1]);
        // Otherwise its bundled Redis metadata report writes "<interface>:::provider:<app>" string keys.
        registry.setUseAsMetadataCenter(false);
        registry.setUseAsConfigCenter(false);
        ServiceConfig<GreetingService> service = new ServiceConfig<>();
        service.setApplication(application);
        service.setRegistry(registry);
        service.setProtocol(new ProtocolConfig("dubbo", Integer.parseInt(args[2])));
        service.setInterface(GreetingService.class);
        service.setRef(new GreetingService() {
            @Override
            public String greet(String who) {
                return "Hello, " + who + ", from " + name;
            }
        });
        service.export();
        System.out.println("READY " + name + " " + args[2]);
        System.out.flush();
        waitForStdinEof();
        service.unexport();
        System.out.println("STOPPED " + name);
        System.exit(0);
    }

    static void waitForStdinEof() throws InterruptedException {
        final CountDownLatch closed = new CountDownLatch(1);
        Thread t = new Thread(new Runnable() {
            @Override
            public void run() {
                try {
                    while (System.in.read() >= 0) {
                        // until EOF
                    }
                } catch (java.io.IOException ignored) {
                    // treat as closed
                }
                closed.countDown();
            }
        }, "stdin-watcher");
        t.setDaemon(true);
        t.start();
        closed.await();
    }
}
