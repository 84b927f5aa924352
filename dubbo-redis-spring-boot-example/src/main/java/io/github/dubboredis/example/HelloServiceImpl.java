package io.github.dubboredis.example;

import org.apache.dubbo.config.annotation.DubboService;
import org.springframework.beans.factory.annotation.Value;

/** The provider side: exported by Dubbo and registered in Redis as soon as the application is ready. */
@DubboService
public class HelloServiceImpl implements HelloService {

    private final String applicationName;

    public HelloServiceImpl(@Value("${dubbo.application.name}") String applicationName) {
        this.applicationName = applicationName;
    }

    @Override
    public String hello(String name) {
        return "Hello, " + name + ", from " + applicationName;
    }
}
