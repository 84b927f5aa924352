package io.github.dubboredis.internal.lettuce;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * One server-side step of the registry: the same Lua body runs as a Redis 7 function (loaded once by an
 * operator, called with FCALL, so the registry's user needs no right to run arbitrary scripts) or as a
 * script (EVALSHA, loaded with EVAL when the server does not know it).
 */
final class Script {

    private final String name;
    private final String body;
    private final String evalSource;
    private final String sha1;

    Script(String name, String body) {
        this.name = name;
        this.body = body;
        this.evalSource = ScriptLibrary.EVAL_PRELUDE + ScriptLibrary.HELPERS + body;
        try {
            this.sha1 = HexFormat.of().formatHex(
                    MessageDigest.getInstance("SHA-1").digest(evalSource.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is required by every JVM", e);
        }
    }

    String name() {
        return name;
    }

    /** The body alone: {@code KEYS} and {@code ARGV} in, a reply out. */
    String body() {
        return body;
    }

    /** The whole script for EVAL. */
    String evalSource() {
        return evalSource;
    }

    String sha1() {
        return sha1;
    }

    /** The name it has in the function library. */
    String functionName() {
        return ScriptLibrary.functionPrefix() + name.replace('-', '_');
    }

    @Override
    public String toString() {
        return name;
    }
}
