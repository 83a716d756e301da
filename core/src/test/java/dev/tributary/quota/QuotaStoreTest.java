package dev.tributary.quota;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.log.LogKeySpace;
import dev.tributary.storage.embedded.EmbeddedStore;
import dev.tributary.topic.TopicCounts;
import dev.tributary.topic.TopicStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QuotaStoreTest {
    private static final TenantQuota DEFAULTS = new TenantQuota(null, null, 100L, null, 50L, null, null);

    @TempDir
    Path dir;
    EmbeddedStore store;
    AtomicLong clock = new AtomicLong(1_000_000_000L);
    QuotaStore quotas;
    TopicStore topics;

    @BeforeEach
    void open() {
        store = EmbeddedStore.open(dir);
        quotas = new QuotaStore(store, DEFAULTS, Duration.ofSeconds(5), clock::get);
        topics = new TopicStore(store, quotas);
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void aTenantWithoutStoredLimitsHasTheDefaultsUntilSetAndAfterReset() {
        assertEquals(new QuotaStore.Current(DEFAULTS, false), quotas.current("acme"));
        TenantQuota set = new TenantQuota(1_000L, 2_000L, null, 10_000L, 3L, 6L, 2L);
        assertEquals(new QuotaStore.Current(set, true), quotas.put("acme", set, (tx, before) -> assertFalse(before.stored())));
        assertEquals(new QuotaStore.Current(set, true), quotas.current("acme"));
        assertEquals(new QuotaStore.Current(DEFAULTS, false), quotas.current("other"));
        assertEquals(new QuotaStore.Current(DEFAULTS, false), quotas.reset("acme", (tx, before) -> assertEquals(set, before.limits())));
        assertEquals(new QuotaStore.Current(DEFAULTS, false), quotas.current("acme"));
    }

    @Test
    void aRefusedPreconditionChangesNothing() {
        TenantQuota set = new TenantQuota(null, null, null, null, 1L, null, null);
        assertThrows(IllegalStateException.class, () -> quotas.put("acme", set, (tx, before) -> {
            throw new IllegalStateException("changed meanwhile");
        }));
        assertEquals(new QuotaStore.Current(DEFAULTS, false), quotas.current("acme"));
    }

    @Test
    void hotPathLimitsAreCachedForTheIntervalButChangesHereApplyAtOnce() {
        QuotaStore otherNode = new QuotaStore(store, DEFAULTS, Duration.ofSeconds(5), clock::get);
        assertEquals(DEFAULTS, quotas.limits("acme"));
        TenantQuota set = new TenantQuota(7L, null, null, null, null, null, null);
        otherNode.put("acme", set, (tx, before) -> {});
        assertEquals(set, otherNode.limits("acme")); // where it was changed: at once
        assertEquals(DEFAULTS, quotas.limits("acme")); // elsewhere: within the interval
        clock.addAndGet(Duration.ofSeconds(5).toNanos());
        assertEquals(set, quotas.limits("acme"));
        assertEquals(set, quotas.cachedLimits("acme"));
        assertEquals(null, quotas.cachedLimits("never-read"));
    }

    @Test
    void topicAndPartitionQuotasRefuseCreatesAndGrowthAndNothingIsWritten() {
        quotas.put("acme", new TenantQuota(null, null, null, null, 2L, 5L, null), (tx, before) -> {});
        topics.create("acme", "a", 2, Map.of());
        QuotaException partitions = assertThrows(QuotaException.class, () -> topics.create("acme", "b", 4, Map.of()));
        assertEquals(QuotaErrorCode.PARTITION_QUOTA_EXCEEDED, partitions.code());
        assertEquals("tenant 'acme' may have at most 5 partition(s) over all its topics and has 2; this change needs 4 more",
                partitions.detail());
        assertTrue(topics.find("acme", "b").isEmpty());
        topics.create("acme", "b", 3, Map.of());
        QuotaException topicCount = assertThrows(QuotaException.class, () -> topics.create("acme", "c", 1, Map.of()));
        assertEquals(QuotaErrorCode.TOPIC_QUOTA_EXCEEDED, topicCount.code());
        assertTrue(topics.find("acme", "c").isEmpty());
        assertEquals(QuotaErrorCode.PARTITION_QUOTA_EXCEEDED,
                assertThrows(QuotaException.class, () -> topics.addPartitions("acme", "a", 3)).code());
        assertEquals(2, topics.get("acme", "a").partitions());
        assertEquals(new TopicCounts(2, 5), topics.counts("acme"));
        // Deleting frees both; a decrease is never refused, even below a lowered quota.
        topics.delete("acme", "b");
        assertEquals(new TopicCounts(1, 2), topics.counts("acme"));
        topics.addPartitions("acme", "a", 5);
        quotas.put("acme", new TenantQuota(null, null, null, null, 0L, 0L, null), (tx, before) -> {});
        topics.delete("acme", "a");
        assertEquals(new TopicCounts(0, 0), topics.counts("acme"));
        // Other tenants have the defaults (50 topics, unlimited partitions).
        topics.create("other", "big", TopicStore.MAX_PARTITIONS, Map.of());
    }

    @Test
    void concurrentCreatesCannotExceedTheTopicQuota() throws Exception {
        quotas.put("acme", new TenantQuota(null, null, null, null, 5L, null, null), (tx, before) -> {});
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Boolean>> attempts = new ArrayList<>();
            for (int i = 0; i < 24; i++) {
                String name = "t" + i;
                attempts.add(pool.submit(() -> {
                    try {
                        topics.create("acme", name, 1, Map.of());
                        return true;
                    } catch (QuotaException e) {
                        assertEquals(QuotaErrorCode.TOPIC_QUOTA_EXCEEDED, e.code());
                        return false;
                    }
                }));
            }
            int created = 0;
            for (Future<Boolean> a : attempts) {
                created += a.get() ? 1 : 0;
            }
            assertEquals(5, created);
            assertEquals(5, topics.list("acme", null, 100).topics().size());
            assertEquals(new TopicCounts(5, 5), topics.counts("acme"));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void countsMissingFromAnOlderStoreAreCountedFromTheTopics() {
        topics.create("acme", "a", 3, Map.of());
        topics.create("acme", "b", 4, Map.of());
        store.run(tx -> {
            tx.clear(LogKeySpace.topicCounts("acme")); // as a store written before counts existed
            return null;
        });
        assertEquals(new TopicCounts(2, 7), topics.counts("acme"));
        quotas.put("acme", new TenantQuota(null, null, null, null, null, 8L, null), (tx, before) -> {});
        assertEquals(QuotaErrorCode.PARTITION_QUOTA_EXCEEDED,
                assertThrows(QuotaException.class, () -> topics.create("acme", "c", 2, Map.of())).code());
        topics.create("acme", "c", 1, Map.of());
        assertEquals(new TopicCounts(3, 8), topics.counts("acme"));
    }
}
