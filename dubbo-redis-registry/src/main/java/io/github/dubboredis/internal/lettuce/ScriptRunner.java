package io.github.dubboredis.internal.lettuce;

import java.util.concurrent.CompletableFuture;

import io.lettuce.core.ScriptOutputType;

/**
 * Runs the registry's server-side steps the best way the server allows: as the functions of the registry's
 * library (FCALL: the registry's user then needs no right to run arbitrary scripts), else as scripts
 * (EVALSHA, and EVAL when the server does not know the script yet). Which one works is learnt from the first
 * call and learnt again after every reconnect, so a library loaded, or lost with a restart, is noticed.
 */
final class ScriptRunner {

    private enum Mode { TRY_FUNCTIONS, FUNCTIONS, SCRIPTS }

    private volatile Mode mode = Mode.TRY_FUNCTIONS;

    /** A (re)connect: the server may now have, or lack, the function library. */
    void relearn() {
        mode = Mode.TRY_FUNCTIONS;
    }

    /** {@code functions}, {@code scripts}, or {@code unknown} before the first step ran. */
    String mode() {
        return switch (mode) {
            case FUNCTIONS -> "functions";
            case SCRIPTS -> "scripts";
            case TRY_FUNCTIONS -> "unknown";
        };
    }

    <T> CompletableFuture<T> run(NodeLink link, Script script, ScriptOutputType type, String[] keys, String... args) {
        if (mode == Mode.SCRIPTS) {
            return evalsha(link, script, type, keys, args);
        }
        return link.commands().<T>fcall(script.functionName(), type, keys, args).toCompletableFuture()
                .thenApply(result -> {
                    mode = Mode.FUNCTIONS;
                    return result;
                })
                .exceptionallyCompose(e -> {
                    if (!RedisErrors.isMissingFunction(e)) {
                        return CompletableFuture.failedFuture(e);
                    }
                    mode = Mode.SCRIPTS;
                    return evalsha(link, script, type, keys, args);
                });
    }

    private static <T> CompletableFuture<T> evalsha(NodeLink link, Script script, ScriptOutputType type, String[] keys,
            String... args) {
        return link.commands().<T>evalsha(script.sha1(), type, keys, args).toCompletableFuture().exceptionallyCompose(e ->
                RedisErrors.isNoScript(e)
                        ? link.commands().<T>eval(script.evalSource(), type, keys, args).toCompletableFuture()
                        : CompletableFuture.failedFuture(e));
    }
}
