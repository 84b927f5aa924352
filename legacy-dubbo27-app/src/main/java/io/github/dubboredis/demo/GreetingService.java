package io.github.dubboredis.demo;

/** The same service as dubbo-redis-demo's, by name: Dubbo matches providers and consumers by interface name. */
public interface GreetingService {

    String greet(String name);
}
