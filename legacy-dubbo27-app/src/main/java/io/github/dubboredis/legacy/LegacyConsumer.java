package io.github.dubboredis.legacy;

import org.apache.dubbo.config.ApplicationConfig;
import org.apache.dubbo.config.ReferenceConfig;
import org.apache.dubbo.config.RegistryConfig;

import io.github.dubboredis.demo.GreetingService;

/**
 * A consumer on Dubbo 2.7.23 and its original Redis registry: {@code LegacyConsumer <name> <registry
 * address> <calls> <interval ms>}. Prints {@code READY}, then one {@code RESULT <greeting>} or
 * {@code ERROR <message>} line per call, then {@code DONE}.
 */
public final class LegacyConsumer {

    private LegacyConsumer() {
    }

    public static void main(String[] args) throws Exception {
        ApplicationConfig application = new ApplicationConfig(args[0]);
        application.setQosEnable(false);
        RegistryConfig registry = new RegistryConfig(args[1]);
        registry.setUseAsMetadataCenter(false);
        registry.setUseAsConfigCenter(false);
        ReferenceConfig<GreetingService> reference = new ReferenceConfig<>();
        reference.setApplication(application);
        reference.setRegistry(registry);
        reference.setInterface(GreetingService.class);
        reference.setCheck(false);
        reference.setTimeout(3000);
        GreetingService greeting = reference.get();
        System.out.println("READY " + args[0]);
        int calls = Integer.parseInt(args[2]);
        long interval = Long.parseLong(args[3]);
        for (int i = 0; i < calls; i++) {
            try {
                System.out.println("RESULT " + greeting.greet("legacy"));
            } catch (RuntimeException e) {
                System.out.println("ERROR " + e.getClass().getSimpleName() + ": " + e.getMessage().replace('\n', ' '));
            }
            System.out.flush();
            Thread.sleep(interval);
        }
        System.out.println("DONE");
        System.out.flush();
        reference.destroy();
        System.exit(0);
    }
}
