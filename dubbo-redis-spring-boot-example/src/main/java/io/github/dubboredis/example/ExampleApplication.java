package io.github.dubboredis.example;

import org.apache.dubbo.config.spring.context.annotation.EnableDubbo;
import org.apache.dubbo.rpc.RpcException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * A Spring Boot 3 application that uses the Redis registry with nothing but configuration: the
 * dependency on {@code dubbo-redis-registry} and {@code dubbo.registry.address: redis://...} in
 * application.yml. Run it against a Redis with
 * {@code --dubbo.registry.address=redis://host:6379} (or the environment variable REDIS_REGISTRY).
 */
@SpringBootApplication
@EnableDubbo
public class ExampleApplication {

    private static final int START_CALL_ATTEMPTS = 100;

    private static final Logger log = LoggerFactory.getLogger(ExampleApplication.class);

    public static void main(String[] args) {
        SpringApplication.run(ExampleApplication.class, args);
    }

    /**
     * Calls the service once at start-up when asked to ({@code example.call-on-start=true}). The provider
     * registered itself a moment ago, and the consumer hears of it through Redis within a round trip or
     * so: the first attempts may find no provider yet.
     */
    @Bean
    ApplicationRunner callOnStart(HelloClient client, Environment environment) {
        return args -> {
            if (!environment.getProperty("example.call-on-start", Boolean.class, false)) {
                return;
            }
            for (int attempt = 1;; attempt++) {
                try {
                    log.info("Called through the Redis registry: {}", client.greet("Spring Boot"));
                    return;
                } catch (RpcException e) {
                    if (!e.isNoInvokerAvailableAfterFilter() || attempt == START_CALL_ATTEMPTS) {
                        throw e;
                    }
                    Thread.sleep(100);
                }
            }
        };
    }
}
