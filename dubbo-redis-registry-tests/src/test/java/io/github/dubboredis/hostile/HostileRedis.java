package io.github.dubboredis.hostile;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import io.github.dubboredis.testkit.RedisServer;
import io.github.dubboredis.testkit.RespClient;

/**
 * What the hostile-input tests do to a real Redis and how they look at it: big hashes written server-side in
 * chunks (a million entries in about a second), Redis's own slow log (the server's measure of how long each
 * command held it, immune to the test JVM's pauses), command counts, and a client that PINGs all along.
 */
final class HostileRedis {

    /** The test's own clients carry this name, so that their commands are told apart from the registry's. */
    static final String TEST_CLIENT = "hostile-test";

    /** Entries written per server-side call: about 20 ms of Redis's time each. */
    private static final int CHUNK = 20_000;

    private static final String FILL = ""
            + "for i = tonumber(ARGV[1]), tonumber(ARGV[2]) do\n"
            + "  redis.call('HSET', KEYS[1], string.format(ARGV[3], i), ARGV[4])\n"
            + "end\n"
            + "return redis.call('HLEN', KEYS[1])\n";

    private HostileRedis() {
    }

    /** A raw client named {@link #TEST_CLIENT}. */
    static RespClient client(RedisServer redis) {
        RespClient c = redis.client();
        c.call("CLIENT", "SETNAME", TEST_CLIENT);
        return c;
    }

    /**
     * Writes fields {@code String.format(fieldFormat, i)} for i in [from, to) with one value, in chunks of
     * {@value #CHUNK} per server-side call; returns the hash's size.
     */
    static long fillHash(RespClient raw, String key, int from, int to, String fieldFormat, String value) {
        long size = 0;
        for (int start = from; start < to; start += CHUNK) {
            int end = Math.min(to, start + CHUNK) - 1;
            size = (Long) raw.call("EVAL", FILL, "1", key, Integer.toString(start), Integer.toString(end), fieldFormat, value);
        }
        return size;
    }

    /** Redis's clock in milliseconds. */
    static long redisNow(RespClient raw) {
        List<?> t = (List<?>) raw.call("TIME");
        return Long.parseLong((String) t.get(0)) * 1000 + Long.parseLong((String) t.get(1)) / 1000;
    }

    /** Calls of a command so far (INFO commandstats), e.g. {@code hscan}. */
    static long calls(RespClient raw, String command) {
        String stats = raw.info("commandstats", "cmdstat_" + command);
        return stats == null ? 0 : Long.parseLong(stats.replaceFirst("^calls=(\\d+),.*$", "$1"));
    }

    /** One command Redis's slow log kept: how long it held the server, and its first arguments. */
    record SlowCommand(long micros, List<String> args, String client) {
        @Override
        public String toString() {
            return micros + " us " + args + (client.isEmpty() ? "" : " (" + client + ")");
        }
    }

    /** From now on the slow log keeps every command that holds Redis for {@code micros} or longer. */
    static void slowLogFrom(RespClient raw, long micros) {
        raw.call("CONFIG", "SET", "slowlog-max-len", "100000");
        raw.call("CONFIG", "SET", "slowlog-log-slower-than", Long.toString(micros));
        raw.call("SLOWLOG", "RESET");
    }

    /** The commands the slow log kept, except the test's own (the big writes that set the scene). */
    static List<SlowCommand> slowCommandsOfOthers(RespClient raw) {
        List<SlowCommand> result = new ArrayList<>();
        for (Object o : (List<?>) raw.call("SLOWLOG", "GET", "100000")) {
            List<?> e = (List<?>) o;
            List<String> args = new ArrayList<>();
            for (Object a : (List<?>) e.get(3)) {
                args.add(String.valueOf(a));
            }
            String client = e.size() > 5 ? String.valueOf(e.get(5)) : "";
            if (!TEST_CLIENT.equals(client)) {
                result.add(new SlowCommand((Long) e.get(2), List.copyOf(args.subList(0, Math.min(3, args.size()))), client));
            }
        }
        return result;
    }

    /** The longest of the registry's commands the slow log kept, in microseconds; 0 when none was that slow. */
    static long longestOfOthers(RespClient raw) {
        return slowCommandsOfOthers(raw).stream().mapToLong(SlowCommand::micros).max().orElse(0);
    }

    /**
     * Another client of the same Redis, PINGing every half millisecond on a thread of its own until closed: the worst
     * round trip it saw is what every other application sharing that Redis would have seen.
     */
    static final class Pinger implements AutoCloseable {
        private final RespClient client;
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicLong worstNanos = new AtomicLong();
        private final AtomicLong count = new AtomicLong();
        private final Thread thread;

        Pinger(RedisServer redis) {
            this.client = client(redis);
            this.thread = new Thread(() -> {
                while (running.get()) {
                    long t0 = System.nanoTime();
                    client.call("PING");
                    worstNanos.accumulateAndGet(System.nanoTime() - t0, Math::max);
                    count.incrementAndGet();
                    java.util.concurrent.locks.LockSupport.parkNanos(500_000); // a sample every half millisecond
                }
            }, "hostile-pinger");
            thread.setDaemon(true);
            thread.start();
        }

        double worstMillis() {
            return worstNanos.get() / 1e6;
        }

        long pings() {
            return count.get();
        }

        @Override
        public void close() {
            running.set(false);
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            client.close();
        }
    }
}
