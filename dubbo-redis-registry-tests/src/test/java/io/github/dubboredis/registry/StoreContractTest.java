package io.github.dubboredis.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import io.github.dubboredis.config.RedisRegistrySettings;
import io.github.dubboredis.internal.lettuce.LettuceRuntime;
import io.github.dubboredis.internal.model.CategoryKey;
import io.github.dubboredis.internal.model.ChangeRecord;
import io.github.dubboredis.internal.model.Keyspace;
import io.github.dubboredis.internal.store.HashPage;
import io.github.dubboredis.internal.store.KeyPage;
import io.github.dubboredis.internal.store.Lease;
import io.github.dubboredis.internal.store.RegistryStore;
import io.github.dubboredis.internal.store.ScanStep;
import io.github.dubboredis.internal.store.StoreHandle;
import io.github.dubboredis.internal.store.StoreListener;
import io.github.dubboredis.internal.store.WrongTypeException;
import io.github.dubboredis.support.Engines;
import io.github.dubboredis.testkit.RedisServer;
import io.github.dubboredis.testkit.RespClient;
import io.github.dubboredis.testkit.memory.InMemoryRegistryStore;
import io.github.dubboredis.testkit.memory.ManualScheduler;

/**
 * The in-memory store answers as Redis does: the same operations, run on the in-memory store and on the Lettuce
 * store over a real redis-server, give the same results. The decision tests on the in-memory store
 * ({@code EngineDecisionsTest}, {@code SubscriptionsTest}) are only worth what this parity is worth.
 */
class StoreContractTest {

    private static final Keyspace KEYSPACE = new Keyspace("/contract/");
    private static final String OWNER_A = "ownerAAAAAAAAAAAAAAAAA";
    private static final String OWNER_B = "ownerBBBBBBBBBBBBBBBBB";

    /** The operations and what they must answer; each implementation supplies the store and how to wait. */
    abstract static class Contract {

        abstract RegistryStore store();

        /** Waits until the condition holds: the store's asynchronous work (messages) has run. */
        abstract void until(BooleanSupplier condition);

        private static <T> T get(CompletableFuture<T> f) {
            return f.join();
        }

        private CategoryKey key(String service) {
            return KEYSPACE.key(service, "providers");
        }

        private long now() {
            return get(store().serverTimeMillis());
        }

        private Map<String, String> readAll(CategoryKey key, int pageSize) {
            Map<String, String> all = new LinkedHashMap<>();
            HashPage page = get(store().readFirstPage(key, pageSize));
            all.putAll(page.entries());
            for (int pages = 0; !page.last() && pages < 10_000; pages++) {
                page = get(store().readNextPage(key, page.cursor(), pageSize));
                all.putAll(page.entries());
            }
            return all;
        }

        @Test
        void entriesArePutReplacedRewrittenAndRemoved() {
            CategoryKey key = key("com.foo.Entries");
            get(store().putEntry(key, "dubbo://10.0.0.1:1/a", "100"));
            get(store().putEntry(key, "dubbo://10.0.0.2:1/a", "200"));
            assertThat(readAll(key, 100)).containsOnly(Map.entry("dubbo://10.0.0.1:1/a", "100"),
                    Map.entry("dubbo://10.0.0.2:1/a", "200"));
            assertThat(get(store().readFirstPage(key, 100)).size()).isEqualTo(2);

            get(store().removeEntries(key, List.of("dubbo://10.0.0.1:1/a")));
            get(store().replaceEntry(key, "dubbo://10.0.0.2:1/a", "dubbo://10.0.0.3:1/a", "300"));
            assertThat(readAll(key, 100)).containsOnly(Map.entry("dubbo://10.0.0.3:1/a", "300"));

            Map<String, String> rewrite = new LinkedHashMap<>();
            rewrite.put("dubbo://10.0.0.3:1/a", "301");
            rewrite.put("dubbo://10.0.0.4:1/a", "400");
            assertThat(get(store().rewriteValues(key, rewrite))).as("fields the rewrite created").isEqualTo(1);
            assertThat(readAll(key, 100)).containsOnly(Map.entry("dubbo://10.0.0.3:1/a", "301"),
                    Map.entry("dubbo://10.0.0.4:1/a", "400"));
            assertThat(get(store().probe(key)).size()).isEqualTo(2);
            assertThat(get(store().probe(key("com.foo.Nothing"))).size()).isZero();
        }

        @Test
        void aBigKeyIsReadPageByPageEachEntryOnce() {
            CategoryKey key = key("com.foo.Pages");
            Map<String, String> written = new LinkedHashMap<>();
            for (int i = 0; i < 1000; i++) {
                written.put("dubbo://10.0." + (i / 250) + "." + (i % 250) + ":1/p", Integer.toString(i));
            }
            get(store().rewriteValues(key, written));
            assertThat(readAll(key, 64)).isEqualTo(written);
        }

        @Test
        void expiredDynamicEntriesAreRemovedAndNothingElse() {
            CategoryKey key = key("com.foo.Expiry");
            long now = now();
            Map<String, String> entries = new LinkedHashMap<>();
            entries.put("dubbo://10.0.0.1:1/e", Long.toString(now - 60_000));                    // expired
            entries.put("dubbo://10.0.0.2:1/e", Long.toString(now + 60_000));                    // live
            entries.put("dubbo://10.0.0.3:1/e?dynamic=false", Long.toString(now - 60_000));      // static: kept
            entries.put("dubbo://10.0.0.4:1/e", "not-a-number");                                 // garbage: kept
            entries.put("dubbo://10.0.0.5:1/e", "1e13");                                         // not decimal: kept
            get(store().rewriteValues(key, entries));

            int removed = 0;
            String cursor = "0";
            for (int steps = 0; steps < 1000; steps++) {
                ScanStep step = get(store().removeExpiredEntries(key, 0, cursor, 2));
                removed += step.removed();
                cursor = step.cursor();
                if (step.last()) {
                    break;
                }
            }
            assertThat(removed).isEqualTo(1);
            assertThat(readAll(key, 100).keySet()).containsExactlyInAnyOrder("dubbo://10.0.0.2:1/e",
                    "dubbo://10.0.0.3:1/e?dynamic=false", "dubbo://10.0.0.4:1/e", "dubbo://10.0.0.5:1/e");
        }

        @Test
        void aDeadOwnersEntriesAreThoseWithItsLastLeaseExpiry() {
            CategoryKey key = key("com.foo.Owner");
            String deadValue = Long.toString(now() - 10_000);
            String otherValue = Long.toString(now() - 20_000);
            Map<String, String> entries = new LinkedHashMap<>();
            entries.put("dubbo://10.0.0.1:1/o", deadValue);
            entries.put("dubbo://10.0.0.2:1/o", otherValue);
            entries.put("dubbo://10.0.0.3:1/o?dynamic=false", deadValue);
            get(store().rewriteValues(key, entries));

            ScanStep step = get(store().removeOwnerEntries(key, deadValue, "0", 100));
            assertThat(step.removed()).isEqualTo(1);
            assertThat(readAll(key, 100).keySet()).containsExactlyInAnyOrder("dubbo://10.0.0.2:1/o",
                    "dubbo://10.0.0.3:1/o?dynamic=false");
        }

        @Test
        void leasesAreWrittenFoundWhenExpiredAndEnded() {
            long now = now();
            get(store().writeLease(KEYSPACE, OWNER_A, now - 1_000, List.of("k1", "k2"), now + 60_000));
            get(store().writeLease(KEYSPACE, OWNER_B, now + 60_000, List.of("k3"), now + 120_000));

            assertThat(get(store().expiredLeases(KEYSPACE, now, 0, 10))).containsExactly(new Lease(OWNER_A, now - 1_000));
            assertThat(get(store().leasesExpiredBefore(KEYSPACE, now, 10))).containsExactly(OWNER_A);
            assertThat(get(store().leasesExpiredBefore(KEYSPACE, now - 5_000, 10))).isEmpty();

            Set<String> owned = new HashSet<>();
            Object from = null;
            for (int pages = 0; pages < 100; pages++) {
                KeyPage page = get(store().ownedKeys(KEYSPACE, OWNER_A, from, 1));
                owned.addAll(page.keys());
                if (page.last()) {
                    break;
                }
                from = page.next();
            }
            assertThat(owned).containsExactlyInAnyOrder("k1", "k2");

            get(store().forgetOwnedKey(KEYSPACE, OWNER_A, "k1"));
            assertThat(get(store().ownedKeys(KEYSPACE, OWNER_A, null, 100)).keys()).containsExactly("k2");

            // An owner that came back meanwhile (another expiry) keeps its lease.
            get(store().endLease(KEYSPACE, OWNER_A, now - 2_000));
            assertThat(get(store().expiredLeases(KEYSPACE, now, 0, 10))).hasSize(1);
            get(store().endLease(KEYSPACE, OWNER_A, now - 1_000));
            assertThat(get(store().expiredLeases(KEYSPACE, now, 0, 10))).isEmpty();
            assertThat(get(store().ownedKeys(KEYSPACE, OWNER_A, null, 100)).keys()).isEmpty();

            get(store().dropLeases(KEYSPACE, List.of(OWNER_B)));
            assertThat(get(store().expiredLeases(KEYSPACE, now + 120_000, 0, 10))).isEmpty();
        }

        @Test
        void aLockIsHeldByOneTokenAndAMarkerIsEstablishedOnce() {
            assertThat(get(store().tryLock("contract-lock", "t1", 60_000))).isTrue();
            assertThat(get(store().tryLock("contract-lock", "t2", 60_000))).isFalse();
            assertThat(get(store().tryLock("contract-lock", "t1", 60_000))).as("taken once, not again").isFalse();
            // Only its holder extends it (a long walk keeps its lock); nobody extends a lock that is not there.
            assertThat(get(store().extendLock("contract-lock", "t2", 60_000))).isFalse();
            assertThat(get(store().extendLock("contract-lock", "t1", 60_000))).isTrue();
            assertThat(get(store().extendLock("contract-missing-lock", "t1", 60_000))).isFalse();
            assertThat(get(store().tryLock("contract-lock", "t2", 60_000))).isFalse();
            assertThat(get(store().establishMarker("contract-marker", "first"))).isEqualTo("first");
            assertThat(get(store().establishMarker("contract-marker", "second"))).isEqualTo("first");
            assertThat(get(store().readMarker("contract-marker"))).isEqualTo("first");
        }

        @Test
        void aKeyOfTheWrongTypeIsNamedInTheFailure() {
            CategoryKey key = key("com.foo.WrongType");
            get(store().setValue(key.redisKey(), "not a hash", 0));
            for (CompletableFuture<?> attempt : List.of(store().putEntry(key, "dubbo://10.0.0.1:1/w", "1"),
                    store().readFirstPage(key, 10))) {
                Throwable failure = catchThrowable(attempt::join);
                assertThat(failure).isInstanceOf(CompletionException.class);
                assertThat(failure.getCause()).isInstanceOf(WrongTypeException.class);
                assertThat(((WrongTypeException) failure.getCause()).key()).isEqualTo(key.redisKey());
            }
            assertThat(get(store().keyType(key.redisKey()))).isEqualTo("string");
        }

        @Test
        void changesAreAnnouncedAndRecordedOnTheirChannels() {
            CategoryKey key = key("com.foo.Channels");
            List<String[]> heard = new CopyOnWriteArrayList<>();
            StoreListener listener = new StoreListener() {
                @Override
                public void onMessage(String channel, String message) {
                    heard.add(new String[] {channel, message});
                }
            };
            store().addListener(listener);
            try {
                get(store().subscribe(List.of(key.redisKey(), key.changeChannel())));
                get(store().putEntry(key, "dubbo://10.0.0.1:1/c", "1"));
                get(store().announce(key, "register"));
                until(() -> heard.stream().anyMatch(m -> m[0].equals(key.redisKey()) && m[1].equals("register"))
                        && heard.stream().anyMatch(m -> m[0].equals(key.changeChannel())));
                List<ChangeRecord> records = new ArrayList<>();
                for (String[] m : heard) {
                    if (m[0].equals(key.changeChannel())) {
                        records.add(ChangeRecord.decode(m[1]));
                    }
                }
                assertThat(records).hasSize(1);
                ChangeRecord first = records.get(0);
                assertThat(first.field()).isEqualTo("dubbo://10.0.0.1:1/c");
                assertThat(first.value()).isEqualTo("1");
                assertThat(first.put()).isTrue();
                // A key's first record starts a new sequence (from the server's clock, so that a sequence lost
                // with Redis's data never repeats), which the key's probe then reports.
                assertThat(first.newSequence()).isTrue();
                assertThat(get(store().probe(key)).sequence()).isEqualTo(first.sequence());
            } finally {
                store().removeListener(listener);
            }
        }
    }

    @Nested
    class InMemory extends Contract {

        private final ManualScheduler scheduler = new ManualScheduler();
        private final InMemoryRegistryStore store = new InMemoryRegistryStore(scheduler);

        @Override
        RegistryStore store() {
            return store;
        }

        @Override
        void until(BooleanSupplier condition) {
            scheduler.runUntilIdle();
            assertThat(condition.getAsBoolean()).as("after the scheduler ran everything queued").isTrue();
        }
    }

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class OnRedis extends Contract {

        private final RedisServer redis = RedisServer.startDefault();
        private final LettuceRuntime runtime = new LettuceRuntime("contract");
        private final StoreHandle handle;

        OnRedis() {
            RedisRegistrySettings settings = Engines.settings("redis://" + redis.address());
            handle = runtime.acquire(settings.connection(), true);
        }

        @Override
        RegistryStore store() {
            return handle.store();
        }

        @Override
        void until(BooleanSupplier condition) {
            await().atMost(Duration.ofSeconds(5)).until(condition::getAsBoolean);
        }

        @BeforeEach
        void empty() {
            try (RespClient raw = redis.client()) {
                raw.call("FLUSHALL");
            }
        }

        @AfterAll
        void stop() {
            handle.close();
            runtime.close();
            redis.close();
        }
    }
}
