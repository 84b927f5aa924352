package io.github.dubboredis.compat;

/** The service the provider serves and the consumer calls. */
public interface Greeting {
    String greet(String name);
}
