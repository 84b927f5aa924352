package io.github.dubboredis.demo;

/** The service the demo and the tests call. A Dubbo 2.7 copy with the same name lives in legacy-dubbo27-app. */
public interface GreetingService {

    /** Answers with a greeting that names the provider that served it. */
    String greet(String name);
}
