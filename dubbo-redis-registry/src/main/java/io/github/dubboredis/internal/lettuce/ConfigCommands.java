package io.github.dubboredis.internal.lettuce;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import io.github.dubboredis.internal.store.ConfigPage;
import io.github.dubboredis.internal.store.ConfigRead;
import io.github.dubboredis.internal.store.ConfigValue;
import io.github.dubboredis.internal.store.RedisAccessException;
import io.github.dubboredis.internal.store.WrongTypeException;
import io.lettuce.core.ScriptOutputType;

/**
 * The configuration centre's store operations on Lettuce: {@link ConfigScripts} run through the store's links
 * (reads on the read link, writes on every write link), their replies turned into the store's records.
 */
final class ConfigCommands {

    private final LettuceStore store;

    ConfigCommands(LettuceStore store) {
        this.store = store;
    }

    CompletableFuture<ConfigRead> read(String hashKey, String markerKey, List<String> fields, long maxBytes, boolean tickets) {
        String[] args = new String[fields.size() + 2];
        args[0] = Long.toString(maxBytes);
        args[1] = tickets ? "1" : "0";
        for (int i = 0; i < fields.size(); i++) {
            args[i + 2] = fields.get(i);
        }
        return store.<List<Object>>read(link -> store.scripts.run(link, ConfigScripts.READ, ScriptOutputType.MULTI,
                new String[] {hashKey, markerKey}, args))
                .thenApply(reply -> {
                    String marker = reply.get(0) == null ? null : String.valueOf(reply.get(0));
                    String type = String.valueOf(reply.get(1));
                    Map<String, ConfigValue> entries = new LinkedHashMap<>();
                    for (int i = 0; i < fields.size(); i++) {
                        int at = 2 + i * 3;
                        if (reply.size() < at + 3) {
                            entries.put(fields.get(i), ConfigValue.ABSENT); // a key of another type: nothing was read
                            continue;
                        }
                        long size = number(reply.get(at));
                        Object content = reply.get(at + 1);
                        Object ticket = reply.get(at + 2);
                        entries.put(fields.get(i), size < 0 ? ConfigValue.ABSENT : new ConfigValue(size,
                                content == null ? null : String.valueOf(content), ticket == null ? null : String.valueOf(ticket)));
                    }
                    return new ConfigRead(marker, type, entries);
                });
    }

    CompletableFuture<Boolean> put(String hashKey, String field, String content, String channel) {
        return onHash(hashKey, store.<Long>write(link -> store.scripts.run(link, ConfigScripts.PUT, ScriptOutputType.INTEGER,
                new String[] {hashKey}, field, content, channel), Math::max)).thenApply(n -> n == 1);
    }

    CompletableFuture<Boolean> compareAndPut(String hashKey, String field, String content, String expectedTicket, String channel) {
        return onHash(hashKey, store.<Long>write(link -> store.scripts.run(link, ConfigScripts.CAS, ScriptOutputType.INTEGER,
                new String[] {hashKey}, field, content, channel, expectedTicket == null ? "" : expectedTicket), Math::min))
                .thenApply(n -> n == 1);
    }

    CompletableFuture<Boolean> remove(String hashKey, String field, String channel) {
        return onHash(hashKey, store.<Long>write(link -> store.scripts.run(link, ConfigScripts.REMOVE, ScriptOutputType.INTEGER,
                new String[] {hashKey}, field, channel), Math::max)).thenApply(n -> n == 1);
    }

    CompletableFuture<ConfigPage> keys(String hashKey, Object from, int count) {
        String cursor = from == null ? "0" : (String) from;
        return onHash(hashKey, store.<List<Object>>read(link -> store.scripts.run(link, ConfigScripts.KEYS, ScriptOutputType.MULTI,
                new String[] {hashKey}, cursor, Integer.toString(count)))
                .thenApply(reply -> {
                    Map<String, Long> sizes = new LinkedHashMap<>();
                    for (int i = 1; i + 1 < reply.size(); i += 2) {
                        sizes.put(String.valueOf(reply.get(i)), number(reply.get(i + 1)));
                    }
                    String next = String.valueOf(reply.get(0));
                    return new ConfigPage(sizes, "0".equals(next) ? null : next);
                }));
    }

    /** A failure for a key of another type names the key (the store's own translation cannot). */
    private <T> CompletableFuture<T> onHash(String hashKey, CompletableFuture<T> f) {
        return f.exceptionallyCompose(e -> RedisAccessException.isWrongType(e) || RedisErrors.isWrongType(e)
                ? CompletableFuture.failedFuture(new WrongTypeException(hashKey, store.describe(), "hash"))
                : CompletableFuture.failedFuture(e));
    }

    private static long number(Object raw) {
        return raw instanceof Number n ? n.longValue() : Long.parseLong(String.valueOf(raw));
    }
}
