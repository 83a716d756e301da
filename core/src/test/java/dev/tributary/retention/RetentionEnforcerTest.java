package dev.tributary.retention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.log.FetchResult;
import dev.tributary.log.LogErrorCode;
import dev.tributary.log.LogException;
import dev.tributary.log.LogKeySpace;
import dev.tributary.log.LogKeySpace.PartitionKeys;
import dev.tributary.log.PartitionLog;
import dev.tributary.log.PartitionOffsets;
import dev.tributary.log.TimestampOffset;
import dev.tributary.record.Record;
import dev.tributary.record.RecordBatch;
import dev.tributary.record.RecordBatchBuilder;
import dev.tributary.storage.KeyValue;
import dev.tributary.storage.embedded.EmbeddedStore;
import dev.tributary.topic.TopicId;
import dev.tributary.topic.TopicStore;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RetentionEnforcerTest {
    static final String TENANT = "acme";
    static final long NOW = 1_700_000_000_000L;

    @TempDir
    Path dir;
    EmbeddedStore store;
    TopicStore topics;
    PartitionLog log;
    RetentionEnforcer retention;

    @BeforeEach
    void open() {
        store = EmbeddedStore.open(dir);
        topics = new TopicStore(store);
        log = new PartitionLog(store);
        retention = new RetentionEnforcer(store);
    }

    @AfterEach
    void close() {
        store.close();
    }

    /** A batch of {@code n} records "prefix-i", all with timestamp ts. */
    static byte[] batch(String prefix, int n, long ts) {
        RecordBatchBuilder builder = RecordBatch.builder();
        for (int i = 0; i < n; i++) {
            builder.append(ts, ("k" + i).getBytes(StandardCharsets.UTF_8), (prefix + "-" + i).getBytes(StandardCharsets.UTF_8));
        }
        return builder.build();
    }

    TopicId topic(Map<String, String> config) {
        return topics.create(TENANT, "orders", 1, config).id();
    }

    List<Record> remaining(TopicId id) {
        PartitionOffsets range = log.offsets(TENANT, id, 0);
        List<Record> out = new ArrayList<>();
        long from = range.logStartOffset();
        while (from < range.highWatermark()) {
            FetchResult r = log.fetch(TENANT, id, 0, from, 1 << 20);
            for (byte[] b : r.batches()) {
                out.addAll(RecordBatch.parse(b).records());
                from = RecordBatch.parse(b).lastOffset() + 1;
            }
        }
        return out;
    }

    long retainedBytesCounter(TopicId id) {
        byte[] v = store.read(tx -> tx.get(keys(id).retainedBytes()).join());
        return v == null ? 0 : ByteBuffer.wrap(v).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    static PartitionKeys keys(TopicId id) {
        return LogKeySpace.partition(TENANT, id.toBytes(), 0);
    }

    List<long[]> indexEntries(TopicId id) {
        PartitionKeys k = keys(id);
        List<long[]> out = new ArrayList<>();
        for (KeyValue kv : store.read(tx -> tx.getRange(k.indexBegin(), k.indexEnd()).join())) {
            out.add(k.decodeIndex(kv.key()));
        }
        return out;
    }

    /** Offset for timestamp by brute force over what is retained: the earliest record with ts >= T. */
    static Optional<TimestampOffset> expected(List<Record> records, long t) {
        return records.stream().filter(r -> r.timestamp() >= t).findFirst()
                .map(r -> new TimestampOffset(r.offset(), r.timestamp()));
    }

    @Test
    void timeRetentionDeletesOldBatchesAndAdvancesTheLogStart() {
        TopicId id = topic(Map.of("retention.ms", "1000"));
        long size = 0;
        for (long ts : new long[] {NOW - 5000, NOW - 4000, NOW - 3000}) {
            byte[] b = batch("old", 2, ts);
            size += b.length;
            log.append(TENANT, id, 0, b, 0);
        }
        byte[] recent = batch("new", 2, NOW - 500);
        log.append(TENANT, id, 0, recent, 0);
        assertEquals(size + recent.length, retainedBytesCounter(id), "appends count the stored bytes");

        RetentionResult result = retention.enforce(TENANT, id, 0, NOW);
        assertEquals(new RetentionResult(3, 6, size, 1), result);
        assertEquals(new PartitionOffsets(6, 8), log.offsets(TENANT, id, 0));
        assertEquals(recent.length, retainedBytesCounter(id));
        assertEquals(List.of("new-0", "new-1"), remaining(id).stream()
                .map(r -> new String(r.value(), StandardCharsets.UTF_8)).toList());
        assertEquals(6, remaining(id).get(0).offset());

        // Nothing more is due: a second run changes nothing.
        assertEquals(new RetentionResult(0, 6, 0, 1), retention.enforce(TENANT, id, 0, NOW));
        // Appends continue densely after retention.
        assertEquals(8, log.append(TENANT, id, 0, batch("more", 1, NOW), 0).baseOffset());
    }

    @Test
    void onlyAPrefixIsDeleted() {
        TopicId id = topic(Map.of("retention.ms", "1000"));
        log.append(TENANT, id, 0, batch("a", 1, NOW - 5000), 0);
        log.append(TENANT, id, 0, batch("b", 1, NOW), 0);
        log.append(TENANT, id, 0, batch("c", 1, NOW - 5000), 0);
        log.append(TENANT, id, 0, batch("d", 1, NOW), 0);
        // c is expired but follows a retained batch: retention never leaves holes.
        assertEquals(1, retention.enforce(TENANT, id, 0, NOW).logStartOffset());
        assertEquals(3, remaining(id).size());
    }

    @Test
    void sizeRetentionCapsTheRetainedBytes() {
        byte[] sample = batch("x", 3, NOW);
        TopicId id = topic(Map.of("retention.ms", "-1", "retention.bytes", Long.toString(2L * sample.length + 1)));
        for (int i = 0; i < 5; i++) {
            log.append(TENANT, id, 0, batch("x", 3, NOW), 0);
        }
        RetentionResult result = retention.enforce(TENANT, id, 0, NOW);
        assertEquals(new RetentionResult(3, 9, 3L * sample.length, 1), result);
        assertEquals(2L * sample.length, retainedBytesCounter(id));
        assertEquals(6, remaining(id).size());

        // Exactly at the cap is within it.
        topics.updateConfig(TENANT, "orders", Map.of("retention.bytes", Long.toString(2L * sample.length)), List.of());
        assertEquals(0, retention.enforce(TENANT, id, 0, NOW).batchesDeleted());
        topics.updateConfig(TENANT, "orders", Map.of("retention.bytes", Long.toString(2L * sample.length - 1)), List.of());
        assertEquals(new RetentionResult(1, 12, sample.length, 1), retention.enforce(TENANT, id, 0, NOW));
    }

    @Test
    void theNewestBatchIsNeverDeleted() {
        TopicId id = topic(Map.of("retention.ms", "0", "retention.bytes", "0"));
        assertEquals(new RetentionResult(0, 0, 0, 1), retention.enforce(TENANT, id, 0, NOW), "empty partition");
        log.append(TENANT, id, 0, batch("only", 2, NOW - 10_000), 0);
        assertEquals(0, retention.enforce(TENANT, id, 0, NOW).batchesDeleted());
        log.append(TENANT, id, 0, batch("a", 2, NOW - 10_000), 0);
        log.append(TENANT, id, 0, batch("b", 2, NOW - 10_000), 0);
        RetentionResult result = retention.enforce(TENANT, id, 0, NOW);
        assertEquals(2, result.batchesDeleted());
        assertEquals(new PartitionOffsets(4, 6), log.offsets(TENANT, id, 0));
        assertEquals(2, RecordBatch.parse(log.fetch(TENANT, id, 0, 4, 1 << 20).batches().get(0)).recordCount());
    }

    @Test
    void fetchBelowTheNewStartIsOutOfRangeNamingTheNewRange() {
        TopicId id = topic(Map.of("retention.ms", "1000"));
        for (int i = 0; i < 4; i++) {
            log.append(TENANT, id, 0, batch("a", 5, NOW - 10_000), 0);
        }
        log.append(TENANT, id, 0, batch("b", 5, NOW), 0);
        assertEquals(20, retention.enforce(TENANT, id, 0, NOW).logStartOffset());
        for (long below : new long[] {0, 7, 19}) {
            LogException e = assertThrows(LogException.class, () -> log.fetch(TENANT, id, 0, below, 1000));
            assertEquals(LogErrorCode.OFFSET_OUT_OF_RANGE, e.code());
            assertTrue(e.getMessage().contains("[20, 25]"), e.getMessage());
        }
        assertEquals(20, RecordBatch.parse(log.fetch(TENANT, id, 0, 20, 1000).batches().get(0)).baseOffset());
    }

    @Test
    void compactedTopicsAreNotTouched() {
        TopicId id = topic(Map.of("cleanup.policy", "compact", "retention.ms", "0", "retention.bytes", "0"));
        for (int i = 0; i < 3; i++) {
            log.append(TENANT, id, 0, batch("a", 1, NOW - 10_000), 0);
        }
        assertEquals(new RetentionResult(0, 0, 0, 1), retention.enforce(TENANT, id, 0, NOW));
        assertEquals(new PartitionOffsets(0, 3), log.offsets(TENANT, id, 0));
    }

    @Test
    void unknownTopicsAndPartitionsFailLikeTheLog() {
        TopicId id = topic(Map.of());
        assertEquals(LogErrorCode.UNKNOWN_PARTITION,
                assertThrows(LogException.class, () -> retention.enforce(TENANT, id, 1, NOW)).code());
        assertEquals(LogErrorCode.UNKNOWN_PARTITION,
                assertThrows(LogException.class, () -> retention.enforce(TENANT, id, -1, NOW)).code());
        assertEquals(LogErrorCode.UNKNOWN_TOPIC,
                assertThrows(LogException.class, () -> retention.enforce(TENANT, TopicId.random(), 0, NOW)).code());
    }

    @Test
    void offsetForTimestampStaysExactWhenTheIndexIsRebuilt() {
        TopicId id = topic(Map.of("retention.ms", "-1"));
        // Index before: (100,0) (500,1) (900,4). Deleting batches 0..1 leaves 2..3 un-indexed
        // (they never raised the running max); retention must index them again.
        long[] ts = {100, 500, 200, 300, 900, 400};
        for (long t : ts) {
            log.append(TENANT, id, 0, batch("r", 1, t), 0);
        }
        setRetentionBytes(4 * batch("r", 1, 100).length);
        assertEquals(2, retention.enforce(TENANT, id, 0, NOW).logStartOffset());
        checkOffsetsForTimestamps(id, 0, 1000);
        assertEquals(List.of("[200, 2]", "[300, 3]", "[900, 4]"), indexEntries(id).stream()
                .map(java.util.Arrays::toString).toList(), "exactly the index of a log starting at 2");
    }

    @Test
    void offsetForTimestampStaysCorrectWhenTheRunningMaxBatchIsDeleted() {
        TopicId id = topic(Map.of("retention.ms", "-1"));
        // The running max 900 was set by a deleted batch and appends keep comparing against it, so a
        // sentinel must stay below the start; later batches under 900 are found by scanning.
        long[] ts = {100, 900, 200, 300};
        for (long t : ts) {
            log.append(TENANT, id, 0, batch("r", 1, t), 0);
        }
        setRetentionBytes(2 * batch("r", 1, 100).length);
        assertEquals(2, retention.enforce(TENANT, id, 0, NOW).logStartOffset());
        checkOffsetsForTimestamps(id, 0, 1000);
        log.append(TENANT, id, 0, batch("r", 1, 600), 0);
        log.append(TENANT, id, 0, batch("r", 1, 950), 0);
        checkOffsetsForTimestamps(id, 0, 1000);
        List<long[]> index = indexEntries(id);
        assertEquals(1, index.stream().filter(e -> e[1] < 2).count(), "one sentinel below the start");
    }

    @Test
    void offsetForTimestampMatchesABruteForceAnswerUnderRandomRetention() {
        TopicId id = topic(Map.of("retention.ms", "-1"));
        Random random = new Random(42);
        // Tiny budgets split the work into many transactions, some of which cannot re-index.
        RetentionEnforcer small = new RetentionEnforcer(store, 3, 1_000_000);
        int one = batch("r", 1, 0).length;
        for (int round = 0; round < 12; round++) {
            for (int i = 0; i < 15; i++) {
                log.append(TENANT, id, 0, batch("r", 1, random.nextInt(1000)), 0);
            }
            setRetentionBytes((long) one * (5 + random.nextInt(15)));
            small.enforce(TENANT, id, 0, NOW);
            checkOffsetsForTimestamps(id, 0, 1001);
            PartitionOffsets range = log.offsets(TENANT, id, 0);
            assertTrue(indexEntries(id).stream().filter(e -> e[1] < range.logStartOffset()).count() <= 1);
            assertEquals((long) one * (range.highWatermark() - range.logStartOffset()), retainedBytesCounter(id));
        }
    }

    private void setRetentionBytes(long bytes) {
        topics.updateConfig(TENANT, "orders", Map.of("retention.bytes", Long.toString(bytes)), List.of());
    }

    private void checkOffsetsForTimestamps(TopicId id, long from, long to) {
        List<Record> records = remaining(id);
        for (long t = from; t <= to; t++) {
            assertEquals(expected(records, t), log.offsetForTimestamp(TENANT, id, 0, t), "timestamp " + t);
        }
    }

    @Test
    void concurrentAppendsAreNeverRetriedAndStayDense() throws Exception {
        byte[] sample = batch("c", 2, NOW);
        TopicId id = topic(Map.of("retention.ms", "-1", "retention.bytes", Long.toString(20L * sample.length)));
        CountingStore appendSide = new CountingStore(store);
        CountingStore retentionSide = new CountingStore(store);
        PartitionLog appender = new PartitionLog(appendSide);
        RetentionEnforcer enforcer = new RetentionEnforcer(retentionSide, 4, 1 << 20);
        int batches = 400;
        AtomicBoolean appending = new AtomicBoolean(true);
        CompletableFuture<Long> deletedTotal = CompletableFuture.supplyAsync(() -> {
            long deleted = 0;
            while (appending.get()) {
                deleted += enforcer.enforce(TENANT, id, 0, NOW).batchesDeleted();
            }
            return deleted;
        });
        // One appender, so any append retry could only come from retention.
        for (int i = 0; i < batches; i++) {
            assertEquals(2L * i, appender.append(TENANT, id, 0, batch("c", 2, NOW + i), 0).baseOffset());
        }
        appending.set(false);
        long deleted = deletedTotal.get(60, TimeUnit.SECONDS) + enforcer.enforce(TENANT, id, 0, NOW).batchesDeleted();

        assertEquals(0, appendSide.retries.get(), "appends retried because of retention");
        assertEquals(0, retentionSide.retries.get(), "retention retried because of appends");
        assertEquals(batches, appendSide.commits.get());
        assertTrue(retentionSide.commits.get() > 1);
        assertEquals(batches - 20, deleted);
        PartitionOffsets range = log.offsets(TENANT, id, 0);
        assertEquals(new PartitionOffsets(2L * (batches - 20), 2L * batches), range);
        List<Record> left = remaining(id);
        for (int i = 0; i < left.size(); i++) {
            assertEquals(range.logStartOffset() + i, left.get(i).offset(), "dense offsets");
        }
        assertEquals(20L * sample.length, retainedBytesCounter(id));
    }

    @Test
    void aLargePartitionIsTrimmedInBoundedTransactions() {
        TopicId id = topic(Map.of("retention.ms", "1000"));
        int batches = 5_000;
        List<byte[]> group = new ArrayList<>();
        for (int i = 0; i < batches; i++) {
            group.add(batch("s", 1, NOW - 10_000 + i));
            if (group.size() == 500) {
                log.appendAll(TENANT, id, 0, group, 0);
                group.clear();
            }
        }
        CountingStore counting = new CountingStore(store);
        RetentionResult result = new RetentionEnforcer(counting).enforce(TENANT, id, 0, NOW);
        assertEquals(batches - 1, result.batchesDeleted(), "all but the newest");
        assertEquals(batches - 1, result.logStartOffset());
        assertEquals((long) (batches - 1) * batch("s", 1, 0).length, result.bytesFreed());
        assertEquals(5, result.transactions(), "at most 1,000 batches per transaction");
        assertEquals(5, counting.commits.get());
        assertTrue(counting.largestTransactionBytes.get() < 100_000,
                "each transaction stays small: " + counting.largestTransactionBytes.get());
        assertEquals(new PartitionOffsets(batches - 1, batches), log.offsets(TENANT, id, 0));
        assertEquals(Optional.of(new TimestampOffset(batches - 1, NOW - 10_000 + batches - 1)),
                log.offsetForTimestamp(TENANT, id, 0, 0));
        assertEquals(1, indexEntries(id).size(), "only the newest batch's entry remains");
    }
}
