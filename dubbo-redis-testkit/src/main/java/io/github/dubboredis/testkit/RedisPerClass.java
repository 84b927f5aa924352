package io.github.dubboredis.testkit;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real {@code redis-server} shared by the tests of a class, started before the first and stopped
 * after the last:
 *
 * <pre>
 * &#64;RegisterExtension
 * static final RedisPerClass redis = new RedisPerClass();
 * </pre>
 *
 * Tests that share it keep out of each other's way by using keys (a registry {@code group}) of their own.
 */
public final class RedisPerClass implements BeforeAllCallback, AfterAllCallback {

    private RedisServer server;

    @Override
    public void beforeAll(ExtensionContext context) {
        server = RedisServer.startDefault();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (server != null) {
            server.close();
            server = null;
        }
    }

    public RedisServer server() {
        if (server == null) {
            throw new IllegalStateException("the Redis server runs only while the test class does");
        }
        return server;
    }

    /** {@code 127.0.0.1:port}. */
    public String address() {
        return server().address();
    }

    /** A fresh raw client; close it. */
    public RespClient client() {
        return server().client();
    }
}
