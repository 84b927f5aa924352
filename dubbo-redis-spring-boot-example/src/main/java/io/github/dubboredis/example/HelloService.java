package io.github.dubboredis.example;

/** The service the example serves and calls: a plain Java interface, as with any Dubbo service. */
public interface HelloService {

    String hello(String name);
}
