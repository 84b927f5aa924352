package io.github.dubboredis.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import io.github.dubboredis.testkit.RespClient;

/**
 * The loopback rule: every Dubbo JVM here runs in a network namespace where only {@code lo} exists, so
 * providers register 127.0.0.1. If a provider registered any other address, traffic would leave
 * loopback: fail loudly and say why.
 */
public final class Loopback {

    private Loopback() {
    }

    public static void assertProvidersRegisteredOnLoopback(RespClient redis, String providersKey) {
        Map<String, String> entries = redis.hgetall(providersKey);
        assertThat(entries).as("providers registered in %s", providersKey).isNotEmpty();
        for (String url : entries.keySet()) {
            String host = url.replaceFirst("^[a-z0-9]+://", "").replaceFirst("[:/].*$", "");
            assertThat(host)
                    .as("A provider registered a non-loopback address (%s). Test JVMs must run in a loopback-only "
                            + "network namespace (tools/loopback/bin/java; DUBBO_REDIS_NETNS=%s).",
                            url, System.getenv("DUBBO_REDIS_NETNS"))
                    .isEqualTo("127.0.0.1");
        }
    }
}
