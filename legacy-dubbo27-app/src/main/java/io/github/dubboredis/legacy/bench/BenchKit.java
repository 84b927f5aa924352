package io.github.dubboredis.legacy.bench;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.HdrHistogram.Histogram;

/**
 * The measuring code of the registry benchmarks, shared as bytecode: compiled once (Java 8, HdrHistogram
 * only) and used both in the benchmark JVM (this registry and ZooKeeper's, on Dubbo 3.3) and in the child JVM
 * that runs Dubbo 2.7's Redis registry. Histograms, clocks, thread and heap sampling, deadlines, and a
 * minimal JSON writer/reader for the results that cross the process boundary.
 */
public final class BenchKit {

    private BenchKit() {
    }

    // ---- latency ---------------------------------------------------------------------------------

    /** A histogram of nanosecond durations up to one hour, three significant digits. */
    public static Histogram histogram() {
        return new Histogram(TimeUnit.HOURS.toNanos(1), 3);
    }

    /** count, p50, p90, p99, max and mean of a nanosecond histogram, in microseconds. */
    public static Map<String, Object> summary(Histogram h) {
        Map<String, Object> m = new LinkedHashMap<String, Object>();
        m.put("count", h.getTotalCount());
        if (h.getTotalCount() == 0) {
            return m;
        }
        m.put("p50_us", micros(h.getValueAtPercentile(50)));
        m.put("p90_us", micros(h.getValueAtPercentile(90)));
        m.put("p99_us", micros(h.getValueAtPercentile(99)));
        m.put("max_us", micros(h.getMaxValue()));
        m.put("mean_us", Math.round(h.getMean() / 100.0) / 10.0);
        return m;
    }

    private static double micros(long nanos) {
        return Math.round(nanos / 100.0) / 10.0;
    }

    public static double millis(long nanos) {
        return Math.round(nanos / 10_000.0) / 100.0;
    }

    // ---- the JVM -----------------------------------------------------------------------------------

    public static int threads() {
        return ManagementFactory.getThreadMXBean().getThreadCount();
    }

    /**
     * Waits (at most {@code maxMillis}) until the thread count has not changed for half a second, so that
     * threads of an earlier run that are still winding down do not count for the next one.
     */
    public static int stableThreads(long maxMillis) {
        Deadline d = new Deadline(maxMillis);
        int last = threads();
        long stableSince = System.nanoTime();
        while (!d.expired()) {
            sleep(50);
            int now = threads();
            if (now != last) {
                last = now;
                stableSince = System.nanoTime();
            } else if (System.nanoTime() - stableSince >= TimeUnit.MILLISECONDS.toNanos(500)) {
                break;
            }
        }
        return last;
    }

    /** Heap in use after full collections (the benchmark JVMs run the serial collector: System.gc() is one). */
    public static long heapAfterGc() {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            sleep(30);
            used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    /** CPU time this JVM has used so far (all its threads), in nanoseconds; -1 where the JVM does not say. */
    public static long processCpuNanos() {
        java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean) {
            return ((com.sun.management.OperatingSystemMXBean) os).getProcessCpuTime();
        }
        return -1;
    }

    // ---- time --------------------------------------------------------------------------------------

    /** A point in time that every loop of the benchmarks checks, so that each stops by itself. */
    public static final class Deadline {
        private final long end;

        public Deadline(long millis) {
            this.end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        }

        public boolean expired() {
            return System.nanoTime() - end >= 0;
        }

        public long remainingMillis() {
            return Math.max(0, TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime()));
        }
    }

    public static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /**
     * Runs a task on a daemon thread and waits for it at most {@code millis}: a registry call that hangs
     * (the old registry blocks on an exhausted pool) cannot hang the benchmark. Returns the failure, or null.
     */
    public static Throwable bounded(String name, long millis, final Runnable task) {
        final Throwable[] failure = new Throwable[1];
        Thread t = new Thread(new Runnable() {
            @Override
            public void run() {
                try {
                    task.run();
                } catch (Throwable e) {
                    failure[0] = e;
                }
            }
        }, "bench-" + name);
        t.setDaemon(true);
        t.start();
        try {
            t.join(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (t.isAlive()) {
            return new IllegalStateException(name + " did not finish in " + millis + " ms");
        }
        return failure[0];
    }

    // ---- results -----------------------------------------------------------------------------------

    /** An ordered map from alternating keys and values. */
    public static Map<String, Object> obj(Object... keyValues) {
        Map<String, Object> m = new LinkedHashMap<String, Object>();
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            m.put((String) keyValues[i], keyValues[i + 1]);
        }
        return m;
    }

    public static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String msg = e.getClass().getSimpleName() + ": " + e.getMessage();
        if (root != e) {
            msg += " (cause: " + root.getClass().getSimpleName() + ": " + root.getMessage() + ")";
        }
        return msg.replace('\n', ' ');
    }

    // ---- JSON (just enough for maps, lists, strings, numbers, booleans and null) ---------------------

    public static String toJson(Object o) {
        StringBuilder b = new StringBuilder();
        write(b, o, "", false);
        return b.toString();
    }

    /** Indented, for the results file. */
    public static String toPrettyJson(Object o) {
        StringBuilder b = new StringBuilder();
        write(b, o, "\n", true);
        return b.append('\n').toString();
    }

    private static void write(StringBuilder b, Object o, String indent, boolean pretty) {
        String inner = pretty ? indent + "  " : "";
        String nl = pretty ? indent : "";
        if (o == null) {
            b.append("null");
        } else if (o instanceof Map) {
            b.append('{');
            Iterator<? extends Map.Entry<?, ?>> it = ((Map<?, ?>) o).entrySet().iterator();
            while (it.hasNext()) {
                Map.Entry<?, ?> e = it.next();
                b.append(inner);
                quote(b, String.valueOf(e.getKey()));
                b.append(pretty ? ": " : ":");
                write(b, e.getValue(), inner, pretty);
                if (it.hasNext()) {
                    b.append(',');
                }
            }
            if (!((Map<?, ?>) o).isEmpty()) {
                b.append(nl);
            }
            b.append('}');
        } else if (o instanceof List) {
            b.append('[');
            Iterator<?> it = ((List<?>) o).iterator();
            while (it.hasNext()) {
                write(b, it.next(), inner, pretty);
                if (it.hasNext()) {
                    b.append(pretty ? ", " : ",");
                }
            }
            b.append(']');
        } else if (o instanceof Double || o instanceof Float) {
            double d = ((Number) o).doubleValue();
            b.append(Double.isNaN(d) || Double.isInfinite(d) ? "null" : String.valueOf(d));
        } else if (o instanceof Number || o instanceof Boolean) {
            b.append(o);
        } else {
            quote(b, String.valueOf(o));
        }
    }

    private static void quote(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"': b.append("\\\""); break;
                case '\\': b.append("\\\\"); break;
                case '\n': b.append("\\n"); break;
                case '\r': b.append("\\r"); break;
                case '\t': b.append("\\t"); break;
                default:
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
            }
        }
        b.append('"');
    }

    /** Parses what {@link #toJson} wrote (objects become ordered maps; integers longs, others doubles). */
    public static Object parseJson(String s) {
        Parser p = new Parser(s);
        Object v = p.value();
        p.ws();
        if (p.i != s.length()) {
            throw new IllegalArgumentException("trailing characters at " + p.i);
        }
        return v;
    }

    private static final class Parser {
        final String s;
        int i;

        Parser(String s) {
            this.s = s;
        }

        void ws() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
        }

        Object value() {
            ws();
            char c = s.charAt(i);
            if (c == '{') {
                i++;
                Map<String, Object> m = new LinkedHashMap<String, Object>();
                ws();
                if (s.charAt(i) == '}') {
                    i++;
                    return m;
                }
                while (true) {
                    ws();
                    String k = string();
                    ws();
                    expect(':');
                    m.put(k, value());
                    ws();
                    if (s.charAt(i) == ',') {
                        i++;
                    } else {
                        expect('}');
                        return m;
                    }
                }
            }
            if (c == '[') {
                i++;
                List<Object> l = new ArrayList<Object>();
                ws();
                if (s.charAt(i) == ']') {
                    i++;
                    return l;
                }
                while (true) {
                    l.add(value());
                    ws();
                    if (s.charAt(i) == ',') {
                        i++;
                    } else {
                        expect(']');
                        return l;
                    }
                }
            }
            if (c == '"') {
                return string();
            }
            if (s.startsWith("null", i)) {
                i += 4;
                return null;
            }
            if (s.startsWith("true", i)) {
                i += 4;
                return Boolean.TRUE;
            }
            if (s.startsWith("false", i)) {
                i += 5;
                return Boolean.FALSE;
            }
            int start = i;
            while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) {
                i++;
            }
            String num = s.substring(start, i);
            if (num.isEmpty()) {
                throw new IllegalArgumentException("unexpected '" + c + "' at " + start);
            }
            if (num.indexOf('.') < 0 && num.indexOf('e') < 0 && num.indexOf('E') < 0) {
                return Long.parseLong(num);
            }
            return Double.parseDouble(num);
        }

        String string() {
            expect('"');
            StringBuilder b = new StringBuilder();
            while (true) {
                char c = s.charAt(i++);
                if (c == '"') {
                    return b.toString();
                }
                if (c == '\\') {
                    char e = s.charAt(i++);
                    switch (e) {
                        case 'n': b.append('\n'); break;
                        case 'r': b.append('\r'); break;
                        case 't': b.append('\t'); break;
                        case 'u': b.append((char) Integer.parseInt(s.substring(i, i + 4), 16)); i += 4; break;
                        default: b.append(e);
                    }
                } else {
                    b.append(c);
                }
            }
        }

        void expect(char c) {
            if (s.charAt(i) != c) {
                throw new IllegalArgumentException("expected '" + c + "' at " + i + " but found '" + s.charAt(i) + "'");
            }
            i++;
        }
    }
}
