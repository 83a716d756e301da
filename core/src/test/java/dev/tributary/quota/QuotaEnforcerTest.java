package dev.tributary.quota;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.log.PartitionLog;
import dev.tributary.record.RecordBatch;
import dev.tributary.storage.embedded.EmbeddedStore;
import dev.tributary.topic.TopicMetadata;
import dev.tributary.topic.TopicStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QuotaEnforcerTest {
    private static final long MS = 1_000_000L;

    @TempDir
    Path dir;
    EmbeddedStore store;
    AtomicLong clock = new AtomicLong(1_000_000_000_000L);
    QuotaStore quotas;
    QuotaEnforcer enforcer;
    List<String> events = new ArrayList<>();
    List<Runnable> background = new ArrayList<>();

    @BeforeEach
    void open() {
        store = EmbeddedStore.open(dir);
        quotas = new QuotaStore(store, TenantQuota.UNLIMITED, Duration.ofSeconds(5), clock::get);
        enforcer = new QuotaEnforcer(store, quotas, new QuotaEnforcer.Settings(Duration.ofSeconds(1), Duration.ofSeconds(5),
                Duration.ofSeconds(10)), clock::get, background::add, new QuotaEnforcer.Listener() {
                    @Override
                    public void tenantSeen(QuotaEnforcer source, String tenant) {
                        events.add("seen " + tenant);
                    }

                    @Override
                    public void throttled(String tenant, QuotaEnforcer.Rate rate, long delayNanos) {
                        events.add("throttled " + tenant + " " + rate.label() + " " + delayNanos / MS);
                    }

                    @Override
                    public void refused(String tenant, QuotaErrorCode code) {
                        events.add("refused " + tenant + " " + code);
                    }
                });
    }

    @AfterEach
    void close() {
        store.close();
    }

    private void set(String tenant, TenantQuota quota) {
        quotas.put(tenant, quota, (tx, before) -> {});
    }

    @Test
    void produceIsThrottledByBytesAndByRequestsWithTheDelayUntilTheBudgetIsPositive() {
        set("acme", new TenantQuota(1_000L, null, 3L, null, null, null, null));
        enforcer.admitProduce("acme", 2_500); // 1,000 in the budget: accepted, budget -1,500
        QuotaException throttled = assertThrows(QuotaException.class, () -> enforcer.admitProduce("acme", 1));
        assertEquals(QuotaErrorCode.THROTTLED, throttled.code());
        assertEquals(Duration.ofMillis(1_501), throttled.retryAfter().orElseThrow());
        assertEquals("tenant 'acme' is over its produceBytesPerSecond quota of 1000 on this node: retry in 1501 ms",
                throttled.detail());
        clock.addAndGet(1_501 * MS);
        enforcer.admitProduce("acme", 1); // the budget is 1 again: accepted
        clock.addAndGet(2_000 * MS); // both budgets full again
        enforcer.admitProduce("acme", 1);
        enforcer.admitProduce("acme", 1);
        enforcer.admitProduce("acme", 1);
        // The fourth request within the burst second: the request budget (3) is spent, and positive 1 ms later.
        QuotaException requests = assertThrows(QuotaException.class, () -> enforcer.admitProduce("acme", 1));
        assertTrue(requests.detail().contains("requestsPerSecond"), requests.detail());
        assertEquals(Duration.ofMillis(1), requests.retryAfter().orElseThrow());
        assertEquals(List.of("seen acme", "throttled acme produce-bytes 1501", "throttled acme requests 1"), events);
        // Another tenant is not affected.
        enforcer.admitProduce("other", 1_000_000_000);
        enforcer.admitProduce("other", 1_000_000_000);
    }

    @Test
    void requestsArrivingTogetherCannotAllPassOnOnePositiveBudget() throws Exception {
        set("acme", new TenantQuota(1_000L, null, null, null, null, null, null));
        int threads = 16;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(threads);
        java.util.concurrent.atomic.AtomicInteger admitted = new java.util.concurrent.atomic.AtomicInteger();
        try {
            List<java.util.concurrent.Future<?>> all = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                all.add(pool.submit(() -> {
                    start.await();
                    try {
                        enforcer.admitProduce("acme", 600);
                        admitted.incrementAndGet();
                    } catch (QuotaException e) {
                        assertEquals(QuotaErrorCode.THROTTLED, e.code());
                    }
                    return null;
                }));
            }
            for (java.util.concurrent.Future<?> f : all) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        // The clock stands still: 1,000 in the budget, 600 each; the second still finds 400 and takes it to -200.
        assertEquals(2, admitted.get());
    }

    @Test
    void fetchesAreAdmittedWhileTheBudgetIsPositiveAndChargedWhatTheyRead() {
        set("acme", new TenantQuota(null, 1_000L, null, null, null, null, null));
        enforcer.admitFetch("acme");
        enforcer.recordFetched("acme", 4_000); // already read: charged, never refused
        assertEquals(QuotaErrorCode.THROTTLED, assertThrows(QuotaException.class, () -> enforcer.admitFetch("acme")).code());
        assertEquals(3_001 * MS, enforcer.fetchDelayNanos("acme"));
        clock.addAndGet(3_001 * MS);
        assertEquals(0, enforcer.fetchDelayNanos("acme"));
        enforcer.admitFetch("acme");
        assertTrue(enforcer.usage("acme").fetchBytesPerSecond() > 0);
        assertEquals(1.0, enforcer.usage("acme").requestsPerSecond() * 5, 0.9); // two requests in a 5 s window, decayed
    }

    @Test
    void otherCallsCountAgainstTheRequestRate() {
        set("acme", new TenantQuota(null, null, 2L, null, null, null, null));
        enforcer.admitRequest("acme");
        enforcer.admitRequest("acme");
        QuotaException e = assertThrows(QuotaException.class, () -> enforcer.admitRequest("acme"));
        assertEquals(Duration.ofMillis(1), e.retryAfter().orElseThrow()); // the budget is 0: positive 1 ms later
        clock.addAndGet(MS);
        enforcer.admitRequest("acme");
    }

    @Test
    void streamsAreCountedPerTenantAndReleasedOnce() {
        set("acme", new TenantQuota(null, null, null, null, null, null, 2L));
        QuotaEnforcer.StreamPermit a = enforcer.openStream("acme");
        QuotaEnforcer.StreamPermit b = enforcer.openStream("acme");
        QuotaException refused = assertThrows(QuotaException.class, () -> enforcer.openStream("acme"));
        assertEquals(QuotaErrorCode.CONNECTION_QUOTA_EXCEEDED, refused.code());
        assertEquals(2, enforcer.usage("acme").connections());
        a.release();
        a.release(); // twice: still one stream freed
        assertEquals(1, enforcer.usage("acme").connections());
        QuotaEnforcer.StreamPermit c = enforcer.openStream("acme");
        assertThrows(QuotaException.class, () -> enforcer.openStream("acme"));
        b.release();
        c.release();
        assertEquals(0, enforcer.usage("acme").connections());
        enforcer.openStream("other").release();
    }

    @Test
    void storageUseIsTheSumOfThePartitionCountersPlusWhatThisPodAcceptedSince() {
        TopicStore topics = new TopicStore(store);
        PartitionLog log = new PartitionLog(store);
        TopicMetadata a = topics.create("acme", "a", 2, Map.of());
        TopicMetadata b = topics.create("acme", "b", 1, Map.of());
        byte[] batch = RecordBatch.builder().append(1, null, new byte[1_000]).build();
        log.append("acme", a.id(), 0, batch, 0);
        log.append("acme", a.id(), 1, batch, 0);
        log.append("acme", b.id(), 0, batch, 0);
        long stored = 3L * batch.length;
        assertEquals(stored, enforcer.measureStorage("acme"));

        set("acme", new TenantQuota(null, null, null, stored + 100, null, null, null));
        enforcer.admitProduce("acme", 5_000); // below the limit when it arrived: accepted, now above
        QuotaException full = assertThrows(QuotaException.class, () -> enforcer.admitProduce("acme", 1));
        assertEquals(QuotaErrorCode.STORAGE_QUOTA_EXCEEDED, full.code());
        assertEquals(stored + 5_000, enforcer.usage("acme").storageBytes());
        assertTrue(events.contains("refused acme STORAGE_QUOTA_EXCEEDED"));

        // The sum is refreshed in the background once older than the interval, never on the request's thread.
        clock.addAndGet(Duration.ofSeconds(10).toNanos());
        assertThrows(QuotaException.class, () -> enforcer.admitProduce("acme", 1));
        assertEquals(1, background.size());
        topics.delete("acme", "b"); // frees one batch; the 5,000 accepted bytes were never written here
        background.remove(0).run();
        assertEquals(2L * batch.length, enforcer.usage("acme").storageBytes());
        enforcer.admitProduce("acme", 1);
    }

    @Test
    void aTenantWithAStorageLimitIsSummedBeforeItsFirstProduce() {
        TopicStore topics = new TopicStore(store);
        TopicMetadata a = topics.create("acme", "a", 1, Map.of());
        byte[] batch = RecordBatch.builder().append(1, null, new byte[2_000]).build();
        new PartitionLog(store).append("acme", a.id(), 0, batch, 0);
        set("acme", new TenantQuota(null, null, null, 1_000L, null, null, null));
        assertEquals(QuotaErrorCode.STORAGE_QUOTA_EXCEEDED,
                assertThrows(QuotaException.class, () -> enforcer.admitProduce("acme", 1)).code());
        assertTrue(background.isEmpty());
    }
}
