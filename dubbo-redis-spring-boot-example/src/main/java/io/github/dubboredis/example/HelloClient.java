package io.github.dubboredis.example;

import org.apache.dubbo.config.annotation.DubboReference;
import org.springframework.stereotype.Component;

/**
 * The consumer side: Dubbo finds the providers of {@link HelloService} through the Redis registry. Here
 * the provider is this very application; {@code dubbo.consumer.scope: remote} in application.yml keeps
 * Dubbo from short-cutting the call inside the JVM, so it goes through the registry and the network as
 * it would between two applications.
 */
@Component
public class HelloClient {

    // check=false: the application starts even before any provider is registered.
    @DubboReference(check = false)
    private HelloService helloService;

    public String greet(String name) {
        return helloService.hello(name);
    }
}
