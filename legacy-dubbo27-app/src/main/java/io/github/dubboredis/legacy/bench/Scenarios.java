package io.github.dubboredis.legacy.bench;

import static io.github.dubboredis.legacy.bench.BenchKit.bounded;
import static io.github.dubboredis.legacy.bench.BenchKit.describe;
import static io.github.dubboredis.legacy.bench.BenchKit.millis;
import static io.github.dubboredis.legacy.bench.BenchKit.obj;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;

import org.HdrHistogram.Histogram;
import org.apache.dubbo.common.URL;
import org.apache.dubbo.registry.NotifyListener;
import org.apache.dubbo.registry.Registry;

/**
 * The benchmark workloads, identical for every registry: each takes a {@link RegistryTarget} and parameters
 * and returns its figures as a map. Every loop is bounded in count and in time; a registry that cannot keep
 * up gets a result saying so ({@code finished: false} and how far it got), never a hang.
 */
public final class Scenarios {

    static final String PREFIX = "com.example.bench.";

    private Scenarios() {
    }

    /** Runs one scenario by name; failures become {@code {"error": ...}}. */
    public static Map<String, Object> run(String scenario, RegistryTarget t, Map<String, Object> p) {
        long start = System.nanoTime();
        Map<String, Object> r;
        try {
            if ("floor".equals(scenario)) {
                r = floor(t, i(p, "warmup"), i(p, "samples"), p.containsKey("idle_us") ? l(p, "idle_us") : 0);
            } else if ("latency".equals(scenario) || "cycle".equals(scenario)) {
                r = latency(t, i(p, "warmup"), i(p, "samples"), l(p, "budget_ms"),
                        p.containsKey("tap_samples") ? i(p, "tap_samples") : 0);
            } else if ("subscribe".equals(scenario)) {
                r = subscribe(t, i(p, "services"), p.containsKey("warmup") ? i(p, "warmup") : 0, l(p, "deadline_ms"));
            } else if ("register".equals(scenario)) {
                r = register(t, i(p, "count"), i(p, "services"), i(p, "warmup"), l(p, "deadline_ms"));
            } else if ("renewal".equals(scenario)) {
                r = renewal(t, i(p, "registries"), i(p, "services"), i(p, "urls_per_service"), l(p, "session_ms"),
                        l(p, "window_ms"), l(p, "deadline_ms"));
            } else if ("fanout".equals(scenario)) {
                r = fanout(t, i(p, "providers"), i(p, "subscribers"), i(p, "changes"), l(p, "interval_ms"),
                        l(p, "deadline_ms"));
            } else if ("churn".equals(scenario)) {
                r = churn(t, i(p, "providers"), i(p, "consumers"), i(p, "rounds"), i(p, "rate"), l(p, "deadline_ms"));
            } else {
                throw new IllegalArgumentException("unknown scenario " + scenario);
            }
        } catch (Throwable e) {
            r = obj("error", describe(e));
        }
        r.put("wall_ms", millis(System.nanoTime() - start));
        return r;
    }

    private static int i(Map<String, Object> p, String k) {
        return ((Number) p.get(k)).intValue();
    }

    private static long l(Map<String, Object> p, String k) {
        return ((Number) p.get(k)).longValue();
    }

    // ---- URLs -------------------------------------------------------------------------------------

    /** A provider URL of realistic length (about 300 characters), with an extra parameter if given. */
    public static String providerUrl(String service, int port, String extra) {
        return "dubbo://127.0.0.1:" + port + "/" + service + "?anyhost=true&application=bench-provider"
                + "&category=providers&deprecated=false&dubbo=2.0.2&dynamic=true&generic=false"
                + "&interface=" + service + "&methods=echo,hello,ping,status&pid=4242&release=3.3.6"
                + "&side=provider&threads=200&timestamp=1700000000000" + (extra == null ? "" : "&" + extra);
    }

    public static String consumerUrl(String service) {
        return "consumer://127.0.0.1/" + service + "?application=bench-consumer&category=providers&check=false"
                + "&dubbo=2.0.2&interface=" + service + "&pid=4343&side=consumer&timestamp=1700000000000";
    }

    static int providersIn(List<URL> urls) {
        int n = 0;
        for (URL u : urls) {
            if (!"empty".equals(u.getProtocol())) {
                n++;
            }
        }
        return n;
    }

    private static Map<String, String> params(Object... kv) {
        Map<String, String> m = new LinkedHashMap<String, String>();
        for (int j = 0; j + 1 < kv.length; j += 2) {
            m.put(String.valueOf(kv[j]), String.valueOf(kv[j + 1]));
        }
        return m;
    }

    // ---- floor: the server's own round trip ---------------------------------------------------------

    /**
     * The server's own round trip on an open connection, back to back or each after {@code idleMicros} of
     * idleness: a registry's traffic is occasional, and on a virtual machine a request after idleness costs more
     * (threads and CPUs have to wake up), so the notification latency is best compared with the latter.
     */
    static Map<String, Object> floor(RegistryTarget t, int warmup, int samples, long idleMicros) {
        Histogram h = BenchKit.histogram();
        BenchKit.Deadline d = new BenchKit.Deadline(60_000);
        warmup = Math.max(warmup, 2000); // round trips are cheap: warm the code paths well
        for (int k = 0; k < warmup + samples && !d.expired(); k++) {
            if (idleMicros > 0 && k >= warmup) {
                LockSupport.parkNanos(idleMicros * 1000);
            }
            long t0 = System.nanoTime();
            t.server().roundTrip();
            long t1 = System.nanoTime();
            if (k >= warmup) {
                h.recordValue(t1 - t0);
            }
        }
        Map<String, Object> r = BenchKit.summary(h);
        r.put("what", t.server().roundTripName());
        r.put("idle_before_each_us", idleMicros);
        r.put("server", t.server().describe());
        return r;
    }

    // ---- notification latency ---------------------------------------------------------------------

    /** Waits for a given {@code seq} to be present in (or absent from) a subscriber's notifications. */
    static final class SeqWatch implements NotifyListener {
        private final Object lock = new Object();
        private String expected;
        private boolean expectPresent;
        private long seenAt;
        final AtomicInteger notifications = new AtomicInteger();

        @Override
        public void notify(List<URL> urls) {
            long now = System.nanoTime();
            notifications.incrementAndGet();
            String want;
            boolean wantPresent;
            synchronized (lock) {
                want = expected;
                wantPresent = expectPresent;
            }
            if (want == null) {
                synchronized (lock) {
                    lock.notifyAll();
                }
                return;
            }
            boolean present = false;
            for (URL u : urls) {
                if (!"empty".equals(u.getProtocol()) && want.equals(u.getParameter("seq"))) {
                    present = true;
                    break;
                }
            }
            synchronized (lock) {
                if (want.equals(expected) && present == expectPresent && seenAt == 0) {
                    seenAt = now;
                    lock.notifyAll();
                }
            }
        }

        void expect(String seq, boolean present) {
            synchronized (lock) {
                expected = seq;
                expectPresent = present;
                seenAt = 0;
            }
        }

        /** The nanoTime at which the expectation was met, or 0 if it was not within the time. */
        long await(long millis) {
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
            synchronized (lock) {
                while (seenAt == 0) {
                    long left = end - System.nanoTime();
                    if (left <= 0) {
                        return 0;
                    }
                    try {
                        lock.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return 0;
                    }
                }
                return seenAt;
            }
        }

        boolean awaitAnyNotification(long millis) {
            BenchKit.Deadline d = new BenchKit.Deadline(millis);
            while (notifications.get() == 0 && !d.expired()) {
                BenchKit.sleep(5);
            }
            return notifications.get() > 0;
        }
    }

    /**
     * From {@code register()} called on one registry instance to the listener of another instance (as if in
     * another process, subscribed to that service) being handed a list that contains the URL; then from
     * {@code unregister()} to a list without it, before the next sample: the pattern of every rolling restart.
     * The {@code latency} scenario runs it long and warm, the {@code cycle} scenario short (50 + 300), as it was
     * first measured. With {@code tapSamples} > 0 and a Redis behind the registry, as many samples are first taken
     * with a plain subscriber of the key's channel beside the registry ({@link ChannelTap}): when the
     * announcement reached a subscriber at all, and what the registry adds after that (the tap is closed before the
     * measured samples: its thread would compete with the registry's for the CPUs).
     */
    static Map<String, Object> latency(RegistryTarget t, int warmup, int samples, long budgetMs, int tapSamples) {
        String service = PREFIX + "LatencyService";
        BenchKit.Deadline d = new BenchKit.Deadline(budgetMs);
        Registry provider = t.create("latency-provider", 0, params());
        Registry consumer = t.create("latency-consumer", 1, params());
        Histogram added = BenchKit.histogram();
        Histogram removed = BenchKit.histogram();
        Histogram registerCall = BenchKit.histogram();
        Histogram unregisterCall = BenchKit.histogram();
        Histogram published = BenchKit.histogram();
        Histogram afterPublish = BenchKit.histogram();
        Histogram removalAfterPublish = BenchKit.histogram();
        int[] timeouts = new int[1];
        int done = 0;
        ChannelTap tap = null;
        try {
            SeqWatch watch = new SeqWatch();
            consumer.subscribe(t.url(consumer, consumerUrl(service)), watch);
            // Dubbo 3's registries notify an empty list at once; Dubbo 2.7's Redis registry says nothing about a
            // service without keys. Either way the subscription is in place when subscribe() returns.
            watch.awaitAnyNotification(1_000);
            int k = 0;
            for (; k < warmup && !d.expired() && timeouts[0] < 5; k++) {
                sample(t, provider, watch, service, k, null, null, null, null, null, null, timeouts);
            }
            tap = tapSamples > 0 ? t.server().tap("/dubbo/" + service + "/providers") : null;
            if (tap != null) {
                for (int j = 0; j < tapSamples && !d.expired() && timeouts[0] < 5; j++, k++) {
                    sample(t, provider, watch, service, k, null, null, null, null, tap,
                            new Histogram[] {published, afterPublish, removalAfterPublish}, timeouts);
                }
                tap.close();
                tap = null;
            }
            for (int j = 0; j < samples && !d.expired() && timeouts[0] < 5; j++, k++) {
                if (sample(t, provider, watch, service, k, added, removed, registerCall, unregisterCall, null, null,
                        timeouts)) {
                    done++;
                }
            }
        } finally {
            if (tap != null) {
                tap.close();
            }
            t.destroy(consumer);
            t.destroy(provider);
        }
        Map<String, Object> r = BenchKit.summary(added);
        r.put("removal", BenchKit.summary(removed));
        r.put("register_call", BenchKit.summary(registerCall));
        r.put("unregister_call", BenchKit.summary(unregisterCall));
        if (published.getTotalCount() > 0) {
            r.put("publish_seen", BenchKit.summary(published));
            r.put("notification_after_publish", BenchKit.summary(afterPublish));
            r.put("removal_after_publish", BenchKit.summary(removalAfterPublish));
            r.put("tap_samples", published.getTotalCount());
        }
        r.put("warmup", warmup);
        r.put("requested", samples);
        r.put("finished", done == samples);
        r.put("timeouts", timeouts[0]);
        return r;
    }

    /**
     * One register/unregister cycle; records into the histograms given (null: not recorded). {@code tapped}: the
     * announcement's arrival at the tap, the notification after it, the removal's notification after its own.
     * Returns whether both notifications came.
     */
    private static boolean sample(RegistryTarget t, Registry provider, SeqWatch watch, String service, int k,
            Histogram added, Histogram removed, Histogram registerCall, Histogram unregisterCall, ChannelTap tap,
            Histogram[] tapped, int[] timeouts) {
        URL url = t.url(provider, providerUrl(service, 20880, "seq=" + k));
        watch.expect(String.valueOf(k), true);
        long t0 = System.nanoTime();
        provider.register(url);
        long returned = System.nanoTime();
        long seen = watch.await(5_000);
        boolean ok = seen != 0;
        if (!ok) {
            timeouts[0]++;
        } else {
            record(added, seen - t0);
            record(registerCall, returned - t0);
            if (tap != null) {
                long arrived = tap.arrivalAfter("register", t0, 1_000);
                if (arrived != 0) {
                    tapped[0].recordValue(arrived - t0);
                    tapped[1].recordValue(Math.max(0, seen - arrived));
                }
            }
        }
        watch.expect(String.valueOf(k), false);
        long u0 = System.nanoTime();
        provider.unregister(url);
        long unregistered = System.nanoTime();
        long gone = watch.await(5_000);
        if (gone == 0) {
            timeouts[0]++;
            return false;
        }
        record(removed, gone - u0);
        record(unregisterCall, unregistered - u0);
        if (tap != null) {
            long arrived = tap.arrivalAfter("unregister", u0, 1_000);
            if (arrived != 0) {
                tapped[2].recordValue(Math.max(0, gone - arrived));
            }
        }
        return ok;
    }

    private static void record(Histogram h, long nanos) {
        if (h != null) {
            h.recordValue(nanos);
        }
    }

    // ---- subscribe to many services -----------------------------------------------------------------

    /**
     * Providers of {@code n} services are written directly into the server (one each); then a new registry
     * subscribes to all of them, one after another as an application's references do. Measured: time from
     * the first subscribe() until every listener had its provider, and the threads, server connections and
     * heap (after GC) that the registry holds then, against a baseline taken just before it was created.
     */
    static Map<String, Object> subscribe(final RegistryTarget t, final int n, int warmup, long deadlineMs) {
        Map<String, Object> warm = null;
        if (warmup > 0) {
            warm = subscribeWarmup(t, warmup, deadlineMs);
        }
        t.server().wipe();
        Map<String, List<String>> providers = new LinkedHashMap<String, List<String>>();
        for (int k = 0; k < n; k++) {
            String service = PREFIX + "Service" + k;
            providers.put(service, Collections.singletonList(providerUrl(service, 20880, null)));
        }
        t.server().populate(providers);

        int threads0 = BenchKit.stableThreads(5_000);
        long heap0 = BenchKit.heapAfterGc();
        Long conn0 = t.server().stats().get("connections");

        final AtomicInteger notified = new AtomicInteger();
        final AtomicInteger subscribed = new AtomicInteger();
        final AtomicLong lastNotified = new AtomicLong();
        final AtomicReferenceArray<Boolean> seen = new AtomicReferenceArray<Boolean>(n);
        final Registry[] holder = new Registry[1];
        final long[] times = new long[3];
        final BenchKit.Deadline d = new BenchKit.Deadline(deadlineMs);
        Throwable failure = bounded("subscribe-" + n, deadlineMs, new Runnable() {
            @Override
            public void run() {
                times[0] = System.nanoTime();
                holder[0] = t.create("subscriber", 0, params("bench.subscriptions", n));
                times[1] = System.nanoTime();
                for (int k = 0; k < n && !d.expired(); k++) {
                    final int index = k;
                    holder[0].subscribe(t.url(holder[0], consumerUrl(PREFIX + "Service" + k)), new NotifyListener() {
                        @Override
                        public void notify(List<URL> urls) {
                            if (providersIn(urls) > 0 && seen.compareAndSet(index, null, Boolean.TRUE)) {
                                long now = System.nanoTime();
                                notified.incrementAndGet();
                                long last;
                                while ((last = lastNotified.get()) == 0 || now - last > 0) {
                                    if (lastNotified.compareAndSet(last, now)) {
                                        break;
                                    }
                                }
                            }
                        }
                    });
                    subscribed.incrementAndGet();
                }
                times[2] = System.nanoTime();
            }
        });
        while (notified.get() < n && !d.expired()) {
            BenchKit.sleep(2);
        }
        boolean finished = notified.get() == n;
        int threads1 = BenchKit.threads();
        Long conn1 = t.server().stats().get("connections");
        long heap1 = BenchKit.heapAfterGc();
        Map<String, Object> r = obj("services", n, "finished", finished, "notified", notified.get(),
                "subscribed", subscribed.get());
        if (times[1] != 0) {
            r.put("create_ms", millis(times[1] - times[0]));
        }
        if (finished) {
            r.put("first_full_notification_ms", millis(lastNotified.get() - times[1]));
        } else {
            r.put("deadline_s", deadlineMs / 1000);
        }
        if (failure != null && finished) {
            r.put("note", describe(failure));
        } else if (failure != null && !(failure instanceof IllegalStateException && failure.getMessage().contains("did not finish"))) {
            r.put("error", describe(failure));
        }
        if (warm != null) {
            r.put("warmup", warm);
        }
        r.put("threads_delta", threads1 - threads0);
        r.put("connections_delta", conn0 == null || conn1 == null ? null : conn1 - conn0);
        r.put("heap_delta_bytes", heap1 - heap0);
        if (holder[0] != null && finished) {
            t.destroy(holder[0]);
        } else {
            r.put("abandoned", true); // calls may still be blocked in the registry: the JVM must not be reused
        }
        return r;
    }

    /**
     * Warms the code paths (the JIT) with a throwaway registry subscribing to {@code n} other services, so
     * that the measured runs compare the registries rather than how far each JVM has compiled them.
     */
    private static Map<String, Object> subscribeWarmup(RegistryTarget t, int n, long deadlineMs) {
        t.server().wipe();
        Map<String, List<String>> providers = new LinkedHashMap<String, List<String>>();
        for (int k = 0; k < n; k++) {
            String service = PREFIX + "Warmup" + k;
            providers.put(service, Collections.singletonList(providerUrl(service, 20880, null)));
        }
        t.server().populate(providers);
        final Registry r = t.create("warmup", 0, params("bench.subscriptions", n));
        final AtomicInteger notified = new AtomicInteger();
        final BenchKit.Deadline d = new BenchKit.Deadline(deadlineMs);
        long t0 = System.nanoTime();
        Throwable failure = bounded("subscribe-warmup", deadlineMs, new Runnable() {
            @Override
            public void run() {
                for (int k = 0; k < n && !d.expired(); k++) {
                    final AtomicInteger once = new AtomicInteger();
                    r.subscribe(t.url(r, consumerUrl(PREFIX + "Warmup" + k)), new NotifyListener() {
                        @Override
                        public void notify(List<URL> urls) {
                            if (providersIn(urls) > 0 && once.getAndIncrement() == 0) {
                                notified.incrementAndGet();
                            }
                        }
                    });
                }
            }
        });
        while (notified.get() < n && !d.expired()) {
            BenchKit.sleep(5);
        }
        Map<String, Object> w = obj("services", n, "notified", notified.get(), "ms", millis(System.nanoTime() - t0));
        if (failure != null) {
            w.put("error", describe(failure));
        }
        t.destroy(r);
        return w;
    }

    // ---- register many -----------------------------------------------------------------------------

    /**
     * One registry registers {@code count} provider URLs ({@code services} services, count/services providers
     * each), one call after another. Before that, {@code warmup} URLs of other services are registered and
     * unregistered (warms the code paths; not counted). Measured: throughput, per-call latency, and the growth
     * of the server's memory divided by the number of registrations.
     */
    static Map<String, Object> register(final RegistryTarget t, final int count, final int services, final int warmup,
            long deadlineMs) {
        t.server().wipe();
        final Registry registry = t.create("register", 0, params());
        final Histogram h = BenchKit.histogram();
        final AtomicInteger done = new AtomicInteger();
        final long[] span = new long[2];
        final BenchKit.Deadline d = new BenchKit.Deadline(deadlineMs);
        try {
            List<URL> warm = new ArrayList<URL>();
            for (int k = 0; k < warmup && !d.expired(); k++) {
                URL u = t.url(registry, providerUrl(PREFIX + "Warmup" + (k % 10), 30000 + k, null));
                registry.register(u);
                warm.add(u);
            }
            for (URL u : warm) {
                registry.unregister(u);
            }
            BenchKit.sleep(500);
            final Long mem0 = t.server().stats().get("memory_bytes");
            Throwable failure = bounded("register", d.remainingMillis(), new Runnable() {
                @Override
                public void run() {
                    span[0] = System.nanoTime();
                    for (int k = 0; k < count && !d.expired(); k++) {
                        String service = PREFIX + "Service" + (k % services);
                        URL u = t.url(registry, providerUrl(service, 20000 + k / services, null));
                        long t0 = System.nanoTime();
                        registry.register(u);
                        h.recordValue(System.nanoTime() - t0);
                        done.incrementAndGet();
                    }
                    span[1] = System.nanoTime();
                }
            });
            BenchKit.sleep(500);
            Long mem1 = t.server().stats().get("memory_bytes");
            boolean finished = done.get() == count;
            Map<String, Object> r = obj("count", count, "services", services, "finished", finished,
                    "registered", done.get());
            if (finished) {
                double seconds = (span[1] - span[0]) / 1e9;
                r.put("elapsed_ms", millis(span[1] - span[0]));
                r.put("per_second", Math.round(count / seconds));
            } else {
                r.put("deadline_s", deadlineMs / 1000);
            }
            r.put("call", BenchKit.summary(h));
            if (mem0 != null && mem1 != null && mem0 >= 0 && done.get() > 0) {
                r.put("memory_per_registration_bytes", Math.round((mem1 - mem0) / (double) done.get()));
                r.put("memory_note", t.server().memoryNote());
            }
            if (failure != null && finished) {
                r.put("note", describe(failure));
            } else if (failure != null) {
                r.put("error", describe(failure));
                r.put("abandoned", true);
            }
            return r;
        } finally {
            t.destroy(registry);
            t.server().wipe();
        }
    }

    // ---- steady-state renewal ------------------------------------------------------------------------

    /**
     * {@code registries} registry instances (as many processes) each register one URL of each of
     * {@code services} services ({@code urlsPerService} providers per service in each registry), with the
     * given session. After a settling period, the server's counters are read at both ends of a window:
     * requests per second in total and by command, read events, connections.
     */
    static Map<String, Object> renewal(final RegistryTarget t, int registries, final int services,
            final int urlsPerService, long sessionMs, long windowMs, long deadlineMs) {
        t.server().wipe();
        final BenchKit.Deadline d = new BenchKit.Deadline(deadlineMs);
        final List<Registry> created = Collections.synchronizedList(new ArrayList<Registry>());
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> steps = new ArrayList<Future<?>>();
            final Map<String, String> ps = params("session", sessionMs);
            for (int r = 0; r < registries; r++) {
                final int instance = r;
                steps.add(pool.submit(new Runnable() {
                    @Override
                    public void run() {
                        Registry reg = t.create("renewal", instance, ps);
                        created.add(reg);
                        for (int s = 0; s < services && !d.expired(); s++) {
                            for (int u = 0; u < urlsPerService; u++) {
                                reg.register(t.url(reg, providerUrl(PREFIX + "RenewService" + s,
                                        20000 + instance * urlsPerService + u, null)));
                            }
                        }
                    }
                }));
            }
            for (Future<?> f : steps) {
                f.get(Math.max(1, d.remainingMillis()), TimeUnit.MILLISECONDS);
            }
            long renew = t.renewPeriodMillis(sessionMs);
            // Settle: let every registry get past its first renewal before the window opens.
            BenchKit.sleep(Math.min(Math.max(1000, renew + 500), Math.max(0, d.remainingMillis() - windowMs - 1000)));
            Map<String, Long> s0 = t.server().stats();
            long w0 = System.nanoTime();
            BenchKit.sleep(windowMs);
            Map<String, Long> s1 = t.server().stats();
            double seconds = (System.nanoTime() - w0) / 1e9;
            int entries = registries * services * urlsPerService;
            Map<String, Object> r = obj("registries", registries, "entries", entries, "session_ms", sessionMs,
                    "window_ms", windowMs, "renew_period_ms", renew, "renewal", t.renewalNote());
            r.put("connections", s1.get("connections"));
            if (s0.containsKey("commands")) {
                long commands = s1.get("commands") - s0.get("commands");
                r.put("commands_per_s", round1(commands / seconds));
                Map<String, Object> byCommand = new TreeMap<String, Object>();
                for (Map.Entry<String, Long> e : s1.entrySet()) {
                    if (e.getKey().startsWith("calls.")) {
                        Long before = s0.get(e.getKey());
                        long delta = e.getValue() - (before == null ? 0 : before);
                        if (delta > 0) {
                            byCommand.put(e.getKey().substring(6), round1(delta / seconds));
                        }
                    }
                }
                r.put("by_command_per_s", byCommand);
                long usec = 0;
                Map<String, Object> perCall = new TreeMap<String, Object>();
                for (Map.Entry<String, Long> e : s1.entrySet()) {
                    if (e.getKey().startsWith("usec.")) {
                        String cmd = e.getKey().substring(5);
                        Long before = s0.get(e.getKey());
                        long delta = e.getValue() - (before == null ? 0 : before);
                        Long c1 = s1.get("calls." + cmd);
                        Long c0 = s0.get("calls." + cmd);
                        long calls = (c1 == null ? 0 : c1) - (c0 == null ? 0 : c0);
                        usec += delta;
                        if (calls > 0) {
                            perCall.put(cmd, round1(delta / (double) calls));
                        }
                    }
                }
                // Time spent in commands (commands run by scripts count twice: on their own and in the script's).
                r.put("command_time_ms_per_s", round1(usec / 1000.0 / seconds));
                r.put("usec_per_call", perCall);
                if (renew > 0) {
                    double periods = seconds * 1000.0 / renew;
                    r.put("commands_per_registry_per_period", round1(commands / periods / registries));
                }
            }
            if (s0.containsKey("reads") && s0.get("reads") >= 0) {
                long reads = s1.get("reads") - s0.get("reads") - 1; // less the probe's second INFO
                r.put("reads_per_s", round1(reads / seconds));
                if (renew > 0) {
                    double periods = seconds * 1000.0 / renew;
                    r.put("reads_per_registry_per_period", round1(reads / periods / registries));
                }
            }
            if (s0.containsKey("cpu_us") && s0.get("cpu_us") >= 0) {
                // The server process's CPU time (user + system): the steady state's whole cost to it.
                r.put("server_cpu_ms_per_s", round1((s1.get("cpu_us") - s0.get("cpu_us")) / 1000.0 / seconds));
            }
            if (s0.containsKey("input_bytes") && s0.get("input_bytes") >= 0) {
                r.put("input_kb_per_s", round1((s1.get("input_bytes") - s0.get("input_bytes")) / 1024.0 / seconds));
            }
            if (s0.containsKey("packets_received")) {
                long packets = s1.get("packets_received") - s0.get("packets_received");
                r.put("packets_received_per_s", round1(packets / seconds));
                if (renew > 0) {
                    double periods = seconds * 1000.0 / renew;
                    r.put("packets_per_registry_per_period", round1(packets / periods / registries));
                }
            }
            return r;
        } catch (Exception e) {
            return obj("error", describe(e), "created", created.size());
        } finally {
            pool.shutdownNow();
            destroyAll(t, created);
            t.server().wipe();
        }
    }

    static double round1(double v) {
        return Math.round(v * 10) / 10.0;
    }

    static void destroyAll(final RegistryTarget t, List<Registry> registries) {
        List<Registry> copy;
        synchronized (registries) {
            copy = new ArrayList<Registry>(registries);
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> fs = new ArrayList<Future<?>>();
            for (final Registry r : copy) {
                fs.add(pool.submit(new Runnable() {
                    @Override
                    public void run() {
                        t.destroy(r);
                    }
                }));
            }
            for (Future<?> f : fs) {
                try {
                    f.get(60, TimeUnit.SECONDS);
                } catch (Exception ignored) {
                    // bounded: move on
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    // ---- churn ---------------------------------------------------------------------------------------

    /** A consumer's view of the churning service. */
    static final class ChurnListener implements NotifyListener {
        private final int full;
        private final AtomicLong total;
        volatile int size = -1;
        volatile long lastNotify;
        volatile boolean isFull;

        ChurnListener(int full, AtomicLong total) {
            this.full = full;
            this.total = total;
        }

        @Override
        public void notify(List<URL> urls) {
            long now = System.nanoTime();
            int n = providersIn(urls);
            total.incrementAndGet();
            size = n;
            isFull = n == full;
            lastNotify = now;
        }
    }

    /**
     * {@code providers} provider registries (one URL each) and {@code consumers} consumer registries (each
     * subscribed to the one service). Once every consumer has all providers, each provider in turn leaves
     * (unregister) and joins again (register), {@code rounds} times over, paced at {@code rate} changes per
     * second. Measured: notifications delivered per second (all consumers), and the lag of the last one: from
     * the last change until the last notification after it, once every consumer holds the final list (all
     * providers) and no notification has come for a second.
     */
    static Map<String, Object> churn(final RegistryTarget t, final int providers, int consumers, int rounds, int rate,
            long deadlineMs) {
        t.server().wipe();
        final String service = PREFIX + "ChurnService";
        final BenchKit.Deadline d = new BenchKit.Deadline(deadlineMs);
        final List<Registry> providerRegs = Collections.synchronizedList(new ArrayList<Registry>());
        final List<Registry> consumerRegs = Collections.synchronizedList(new ArrayList<Registry>());
        final AtomicLong total = new AtomicLong();
        final List<ChurnListener> listeners = Collections.synchronizedList(new ArrayList<ChurnListener>());
        final Map<Registry, URL> urls = Collections.synchronizedMap(new HashMap<Registry, URL>());
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> steps = new ArrayList<Future<?>>();
            for (int c = 0; c < consumers; c++) {
                final int instance = c;
                steps.add(pool.submit(new Runnable() {
                    @Override
                    public void run() {
                        Registry reg = t.create("churn-consumer", instance, params());
                        consumerRegs.add(reg);
                        ChurnListener l = new ChurnListener(providers, total);
                        listeners.add(l);
                        reg.subscribe(t.url(reg, consumerUrl(service)), l);
                    }
                }));
            }
            for (Future<?> f : steps) {
                f.get(Math.max(1, d.remainingMillis()), TimeUnit.MILLISECONDS);
            }
            steps.clear();
            final Registry[] byIndex = new Registry[providers];
            for (int p = 0; p < providers; p++) {
                final int instance = p;
                steps.add(pool.submit(new Runnable() {
                    @Override
                    public void run() {
                        Registry reg = t.create("churn-provider", instance, params());
                        providerRegs.add(reg);
                        URL u = t.url(reg, providerUrl(service, 20000 + instance, null));
                        urls.put(reg, u);
                        byIndex[instance] = reg;
                        reg.register(u);
                    }
                }));
            }
            for (Future<?> f : steps) {
                f.get(Math.max(1, d.remainingMillis()), TimeUnit.MILLISECONDS);
            }
            if (!awaitAllFull(listeners, d)) {
                return obj("error", "consumers did not see all " + providers + " providers before the churn", "full",
                        countFull(listeners));
            }
            BenchKit.sleep(500);
            total.set(0);

            int changes = rounds * providers * 2;
            long interval = TimeUnit.SECONDS.toNanos(1) / rate;
            long first = System.nanoTime();
            long lastChange = first;
            int issued = 0;
            for (int k = 0; k < changes && !d.expired(); k++) {
                long due = first + k * interval;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                Registry reg = byIndex[(k / 2) % providers];
                lastChange = System.nanoTime();
                if (k % 2 == 0) {
                    reg.unregister(urls.get(reg));
                } else {
                    reg.register(urls.get(reg));
                }
                issued++;
            }
            if (issued % 2 == 1) { // stopped by the deadline between a leave and its join: join again
                Registry reg = byIndex[(issued / 2) % providers];
                lastChange = System.nanoTime();
                reg.register(urls.get(reg));
                issued++;
            }
            long issuedEnd = System.nanoTime();
            BenchKit.Deadline settle = new BenchKit.Deadline(Math.max(30_000, d.remainingMillis()));
            boolean converged = false;
            while (!settle.expired()) {
                long latest = latestNotify(listeners);
                if (countFull(listeners) == listeners.size() && System.nanoTime() - Math.max(latest, issuedEnd)
                        >= TimeUnit.SECONDS.toNanos(1)) {
                    converged = true;
                    break;
                }
                BenchKit.sleep(20);
            }
            long latest = latestNotify(listeners);
            Map<String, Object> r = obj("providers", providers, "consumers", consumers, "changes", issued,
                    "target_rate_per_s", rate, "achieved_rate_per_s", round1(issued / ((lastChange - first) / 1e9)),
                    "finished", issued == changes, "converged", converged);
            r.put("notifications", total.get());
            double span = (Math.max(latest, lastChange) - first) / 1e9;
            r.put("notifications_per_s", round1(total.get() / span));
            if (converged) {
                r.put("last_lag_ms", latest > lastChange ? millis(latest - lastChange) : 0.0);
            } else {
                r.put("consumers_with_final_state", countFull(listeners));
                r.put("settle_limit_s", 30);
            }
            return r;
        } catch (Exception e) {
            return obj("error", describe(e));
        } finally {
            pool.shutdownNow();
            destroyAll(t, consumerRegs);
            destroyAll(t, providerRegs);
            t.server().wipe();
        }
    }

    private static boolean awaitAllFull(List<ChurnListener> listeners, BenchKit.Deadline d) {
        while (!d.expired()) {
            if (countFull(listeners) == listeners.size()) {
                return true;
            }
            BenchKit.sleep(20);
        }
        return false;
    }

    private static int countFull(List<ChurnListener> listeners) {
        int n = 0;
        synchronized (listeners) {
            for (ChurnListener l : listeners) {
                if (l.isFull) {
                    n++;
                }
            }
        }
        return n;
    }

    private static long latestNotify(List<ChurnListener> listeners) {
        long latest = 0;
        synchronized (listeners) {
            for (ChurnListener l : listeners) {
                if (latest == 0 || l.lastNotify - latest > 0) {
                    latest = l.lastNotify;
                }
            }
        }
        return latest;
    }

    // ---- fan-out of one change to many subscribers ---------------------------------------------------

    /** A subscriber of the fan-out service: each notification's time and whether it held the changing URL. */
    static final class FanoutListener implements NotifyListener {
        private final String changing;
        private final int base;
        final AtomicInteger notifications = new AtomicInteger();
        volatile int size = -1;
        volatile boolean present;
        /** (nanoTime, present) of every notification during the changes; bounded. */
        final List<long[]> history = Collections.synchronizedList(new ArrayList<long[]>());
        volatile boolean recording;

        FanoutListener(String changing, int base) {
            this.changing = changing;
            this.base = base;
        }

        @Override
        public void notify(List<URL> urls) {
            long now = System.nanoTime();
            notifications.incrementAndGet();
            boolean has = false;
            int n = 0;
            for (URL u : urls) {
                if (!"empty".equals(u.getProtocol())) {
                    n++;
                    if (!has && u.getPort() == 29999) {
                        has = true;
                    }
                }
            }
            size = n;
            present = has;
            if (recording && history.size() < 10_000) {
                history.add(new long[] {now, has ? 1 : 0});
            }
        }

        boolean holds(boolean withChanging) {
            return present == withChanging && size == base + (withChanging ? 1 : 0);
        }
    }

    /**
     * One service with {@code providers} providers, written directly into the server, and {@code subscribers}
     * registry instances (as many processes) subscribed to it. Then one more provider joins and leaves in turn
     * through a registry of its own, {@code changes} times, one change every {@code intervalMs}. Measured from the
     * first change until every subscriber holds the last state (bounded): what the server sent (bytes), the server's
     * CPU and this JVM's CPU (where the subscribers run), per change; how many subscribers heard each change before
     * the next one, and after how long; and, for scale, what one whole read of the service costs.
     */
    static Map<String, Object> fanout(final RegistryTarget t, final int providers, int subscribers, int changes,
            long intervalMs, long deadlineMs) {
        t.server().wipe();
        final String service = PREFIX + "FanoutService";
        final BenchKit.Deadline d = new BenchKit.Deadline(deadlineMs);
        final List<Registry> created = Collections.synchronizedList(new ArrayList<Registry>());
        final List<FanoutListener> listeners = Collections.synchronizedList(new ArrayList<FanoutListener>());
        final String changingUrl = providerUrl(service, 29999, null);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        Registry changer = null;
        try {
            List<String> urls = new ArrayList<String>(providers);
            for (int p = 0; p < providers; p++) {
                urls.add(providerUrl(service, 20000 + (p % 9000), "instance=" + p));
            }
            Map<String, List<String>> populate = new LinkedHashMap<String, List<String>>();
            populate.put(service, urls);
            t.server().populate(populate);
            long fullRead = t.server().fullReadBytes(service);

            long heap0 = BenchKit.heapAfterGc();
            long setup0 = System.nanoTime();
            List<Future<?>> steps = new ArrayList<Future<?>>();
            for (int c = 0; c < subscribers; c++) {
                final int instance = c;
                steps.add(pool.submit(new Runnable() {
                    @Override
                    public void run() {
                        if (d.expired()) {
                            return;
                        }
                        // Generous timeouts: hundreds of registries in one JVM of 2 cores, each holding thousands of
                        // providers, see collections of seconds while they start; a process of its own would not, and
                        // the scenario measures the fan-out, not how a registry copes with a stalled process.
                        Registry reg = t.create("fanout-subscriber", instance,
                                params("connect.timeout", 60000, "timeout", 60000));
                        created.add(reg);
                        FanoutListener l = new FanoutListener(changingUrl, providers);
                        listeners.add(l);
                        reg.subscribe(t.url(reg, consumerUrl(service)), l);
                    }
                }));
            }
            for (Future<?> f : steps) {
                f.get(Math.max(1, d.remainingMillis()), TimeUnit.MILLISECONDS);
            }
            while (countHolding(listeners, false) < subscribers && !d.expired()) {
                BenchKit.sleep(50);
            }
            int ready = countHolding(listeners, false);
            double setupSeconds = (System.nanoTime() - setup0) / 1e9;
            if (ready < subscribers) {
                return obj("error", "only " + ready + " of " + subscribers + " subscribers held all " + providers
                        + " providers within the deadline", "full_read_bytes", fullRead);
            }
            long heap1 = BenchKit.heapAfterGc();
            changer = t.create("fanout-provider", 0, params());
            URL extra = t.url(changer, changingUrl);
            // One join and leave first, not measured: every subscriber's code path for a change is then compiled
            // (as the latency scenarios warm up), so neither the quiet window nor the changes measure the JIT.
            changer.register(extra);
            while (countHolding(listeners, true) < subscribers && !d.expired()) {
                BenchKit.sleep(20);
            }
            changer.unregister(extra);
            while (countHolding(listeners, false) < subscribers && !d.expired()) {
                BenchKit.sleep(20);
            }
            BenchKit.sleep(1000);

            // A quiet window first: what the subscribers cost while nothing changes (renewals, anti-entropy, pings).
            long quietMs = Math.min(5000, intervalMs * 3);
            Map<String, Long> q0 = t.server().stats();
            long qc0 = BenchKit.processCpuNanos();
            long qt0 = System.nanoTime();
            BenchKit.sleep(quietMs);
            Map<String, Long> q1 = t.server().stats();
            long qc1 = BenchKit.processCpuNanos();
            double quietSeconds = (System.nanoTime() - qt0) / 1e9;

            int[] before = new int[1];
            for (FanoutListener l : listeners) {
                before[0] += l.notifications.get();
                l.recording = true;
            }
            Map<String, Long> s0 = t.server().stats();
            long c0 = BenchKit.processCpuNanos();
            long first = System.nanoTime();
            long[] at = new long[changes];
            int issued = 0;
            for (int k = 0; k < changes && !d.expired(); k++) {
                long due = first + TimeUnit.MILLISECONDS.toNanos(intervalMs) * k;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                at[k] = System.nanoTime();
                if (k % 2 == 0) {
                    changer.register(extra);
                } else {
                    changer.unregister(extra);
                }
                issued++;
            }
            if (issued == 0) {
                return obj("error", "the deadline passed before the first change (setup " + Math.round(setupSeconds) + " s)",
                        "full_read_bytes", fullRead, "setup_s", Math.round(setupSeconds * 10) / 10.0);
            }
            boolean finalPresent = issued % 2 == 1;
            BenchKit.Deadline settle = new BenchKit.Deadline(Math.min(60_000, Math.max(10_000, d.remainingMillis())));
            while (countHolding(listeners, finalPresent) < subscribers && !settle.expired()) {
                BenchKit.sleep(20);
            }
            int settled = countHolding(listeners, finalPresent);
            long end = System.nanoTime();
            Map<String, Long> s1 = t.server().stats();
            long c1 = BenchKit.processCpuNanos();
            double seconds = (end - first) / 1e9;

            int notifications = -before[0];
            for (FanoutListener l : listeners) {
                notifications += l.notifications.get();
                l.recording = false;
            }
            Map<String, Object> r = obj("providers", providers, "subscribers", subscribers, "changes", issued,
                    "interval_ms", intervalMs, "settled", settled == subscribers);
            r.put("setup_s", Math.round(setupSeconds * 10) / 10.0);
            r.put("heap_per_subscriber_kb", Math.round((heap1 - heap0) / 1024.0 / subscribers));
            r.put("full_read_bytes", fullRead);
            r.put("window_s", round1(seconds));
            r.put("notifications", notifications);
            r.put("notifications_per_change", round1(notifications / (double) Math.max(1, issued)));
            if (!(settled == subscribers)) {
                r.put("subscribers_with_last_state", settled);
            } else {
                long lastDone = 0;
                for (FanoutListener l : listeners) {
                    lastDone = Math.max(lastDone, firstTimeHolding(l, finalPresent, at[issued - 1]));
                }
                r.put("last_change_lag_ms", lastDone > 0 ? millis(lastDone - at[issued - 1]) : null);
            }
            Histogram delays = BenchKit.histogram();
            int heard = 0;
            for (int k = 0; k < issued; k++) {
                long until = k + 1 < issued ? at[k + 1] : end;
                for (FanoutListener l : listeners) {
                    long when = firstTimeHolding(l, k % 2 == 0, at[k]);
                    if (when != 0 && when - until < 0) {
                        heard++;
                        delays.recordValue(when - at[k]);
                    }
                }
            }
            r.put("heard_before_next_change_pct", round1(100.0 * heard / Math.max(1, issued * subscribers)));
            r.put("delay", BenchKit.summary(delays));
            if (issued > 0) {
                perChange(r, s0, s1, q0, q1, c0, c1, qc0, qc1, issued, seconds, quietSeconds);
                Object out = r.get("bytes_out_per_change");
                if (out instanceof Number && fullRead > 0) {
                    double all = (double) fullRead * subscribers;
                    r.put("full_reads_bytes_per_change", Math.round(all));
                    r.put("of_full_reads", Math.round(((Number) out).doubleValue() / all * 100000) / 100000.0);
                }
            }
            return r;
        } catch (Exception e) {
            return obj("error", describe(e), "created", created.size());
        } finally {
            pool.shutdownNow();
            if (changer != null) {
                t.destroy(changer);
            }
            destroyAll(t, created);
            try {
                t.server().wipe();
            } catch (RuntimeException e) {
                // A server that the run left unable to answer (ZooKeeper after its clients' mass reconnection) must
                // not replace the figures measured before; the next scenario wipes again before it starts.
                System.err.println("[bench] fanout: wiping after the run: " + describe(e));
            }
        }
    }

    /** Per change: server bytes out and CPU, this JVM's CPU; less what a quiet window of the same length costs. */
    private static void perChange(Map<String, Object> r, Map<String, Long> s0, Map<String, Long> s1, Map<String, Long> q0,
            Map<String, Long> q1, long c0, long c1, long qc0, long qc1, int changes, double seconds, double quietSeconds) {
        String[][] figures = {{"output_bytes", "bytes_out"}, {"cpu_us", "server_cpu_us"}};
        for (String[] f : figures) {
            Long a = s0.get(f[0]);
            Long b = s1.get(f[0]);
            if (a == null || b == null || a < 0 || b < 0) {
                continue;
            }
            double quietRate = 0;
            Long qa = q0.get(f[0]);
            Long qb = q1.get(f[0]);
            if (qa != null && qb != null && qa >= 0 && qb >= 0 && quietSeconds > 0) {
                quietRate = (qb - qa) / quietSeconds;
                r.put(f[1] + "_per_s_quiet", Math.round(quietRate));
            }
            r.put(f[1] + "_per_change", Math.round(Math.max(0, (b - a) - quietRate * seconds) / changes));
        }
        if (c0 >= 0 && c1 >= 0) {
            double quietRate = qc0 >= 0 && qc1 >= 0 && quietSeconds > 0 ? (qc1 - qc0) / quietSeconds : 0;
            r.put("client_cpu_ms_per_s_quiet", round1(quietRate / 1e6));
            r.put("client_cpu_ms_per_change", round1(Math.max(0, (c1 - c0) - quietRate * seconds) / 1e6 / changes));
            // and as measured, quiet costs included: the quiet window may be short of a renewal or an anti-entropy pass
            r.put("client_cpu_ms_per_change_gross", round1((c1 - c0) / 1e6 / changes));
        }
    }

    private static int countHolding(List<FanoutListener> listeners, boolean withChanging) {
        int n = 0;
        synchronized (listeners) {
            for (FanoutListener l : listeners) {
                if (l.holds(withChanging)) {
                    n++;
                }
            }
        }
        return n;
    }

    /** The first notification at or after {@code since} that held the changing URL ({@code present}) or not; 0 if none. */
    private static long firstTimeHolding(FanoutListener l, boolean present, long since) {
        synchronized (l.history) {
            for (long[] h : l.history) {
                if (h[0] - since >= 0 && (h[1] == 1) == present) {
                    return h[0];
                }
            }
        }
        return 0;
    }
}
