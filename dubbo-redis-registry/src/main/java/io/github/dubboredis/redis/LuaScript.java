package io.github.dubboredis.redis;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** A Lua script run by EVALSHA, loaded with EVAL when the server does not know it (NOSCRIPT). */
public final class LuaScript {

    private final String name;
    private final String source;
    private final String sha1;

    public LuaScript(String name, String source) {
        this.name = name;
        this.source = source;
        try {
            this.sha1 = HexFormat.of().formatHex(
                    MessageDigest.getInstance("SHA-1").digest(source.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is required by every JVM", e);
        }
    }

    public String name() {
        return name;
    }

    public String source() {
        return source;
    }

    public String sha1() {
        return sha1;
    }

    @Override
    public String toString() {
        return name;
    }
}
