package io.github.dubboredis.dubbo;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.dubbo.rpc.RpcException;

import io.github.dubboredis.internal.engine.RegistryEngine;

/**
 * Waits, for Dubbo's calling thread, on a call that goes to Redis. Failures become the
 * {@link RpcException} Dubbo expects (its {@code FailbackRegistry} retries them), naming what failed and
 * where, never a secret.
 */
final class RedisCalls {

    private RedisCalls() {
    }

    /**
     * Waits for an engine call, bounded by twice the command timeout (the engine may need a second round
     * trip). Never on the engine's own thread, which would wait for itself: Dubbo's code (listeners
     * included) runs on Dubbo's threads, so this is a bug if it happens, and is reported as one.
     */
    static <T> T await(RegistryEngine engine, CompletableFuture<T> future, String what) {
        if (engine.isEngineThread()) {
            throw new IllegalStateException("Cannot " + what + " from the Redis registry's own thread (" + engine.describe()
                    + "): it would wait for itself");
        }
        long timeout = engine.settings().connection().commandTimeout().toMillis() * 2 + 1000;
        return await(future, timeout, what, "Redis registry " + engine.describe());
    }

    static <T> T await(CompletableFuture<T> future, long timeoutMillis, String what, String where) {
        try {
            return future.get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new RpcException("Failed to " + what + " on " + where + ": " + cause.getMessage(), cause);
        } catch (TimeoutException e) {
            throw new RpcException("Failed to " + what + " on " + where + ": no answer within " + timeoutMillis + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RpcException("Interrupted while trying to " + what, e);
        }
    }
}
