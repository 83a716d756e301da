package dev.tributary.log;

import static dev.tributary.log.PartitionLogTest.batch;
import static dev.tributary.log.PartitionLogTest.failure;
import static dev.tributary.log.PartitionLogTest.records;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.record.InvalidRecordBatchException;
import dev.tributary.record.Record;
import dev.tributary.record.RecordBatch;
import dev.tributary.record.RecordBatchBuilder;
import dev.tributary.storage.embedded.EmbeddedStore;
import dev.tributary.topic.TopicId;
import dev.tributary.topic.TopicStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link PartitionLog#appendAll}: the one-transaction append the data plane's coalescer relies on.
 * Several batches get consecutive dense offsets in list order, and a call that cannot be appended
 * whole writes nothing.
 */
class PartitionLogAppendAllTest {
    static final String TENANT = "acme";

    @TempDir
    Path dir;
    EmbeddedStore store;
    TopicStore topics;
    PartitionLog log;

    @BeforeEach
    void open() {
        store = EmbeddedStore.open(dir);
        topics = new TopicStore(store);
        log = new PartitionLog(store);
    }

    @AfterEach
    void close() {
        store.close();
    }

    private TopicId topic(String name, int partitions, Map<String, String> config) {
        return topics.create(TENANT, name, partitions, config).id();
    }

    private List<String> values(TopicId id, int partition) {
        List<String> out = new ArrayList<>();
        for (Record r : records(log.fetch(TENANT, id, partition, 0, 16 << 20))) {
            out.add(r.offset() + ":" + new String(r.value(), StandardCharsets.UTF_8));
        }
        return out;
    }

    @Test
    void batchesOfOneCallGetConsecutiveDenseOffsetsInListOrder() {
        TopicId id = topic("orders", 2, Map.of());
        log.append(TENANT, id, 0, batch("before", 2, 1), 0);

        List<AppendResult> results = log.appendAll(TENANT, id, 0,
                List.of(batch("a", 3, 10), batch("b", 1, 11), batch("c", 2, 12)), 0);
        assertEquals(3, results.size());
        assertEquals(List.of(2L, 5L, 6L), results.stream().map(AppendResult::baseOffset).toList());
        assertEquals(List.of(4L, 5L, 7L), results.stream().map(AppendResult::lastOffset).toList());
        long appendTime = results.get(0).logAppendTimeMillis();
        assertTrue(appendTime > 0);
        assertTrue(results.stream().allMatch(r -> r.logAppendTimeMillis() == appendTime), "one transaction, one append time");

        assertEquals(new PartitionOffsets(0, 8), log.offsets(TENANT, id, 0));
        assertEquals(List.of("0:before-0", "1:before-1", "2:a-0", "3:a-1", "4:a-2", "5:b-0", "6:c-0", "7:c-1"), values(id, 0));
        // Stored as separate batches, each with its own base offset: a fetch from inside one starts there.
        List<byte[]> stored = log.fetch(TENANT, id, 0, 6, 1 << 20).batches();
        assertEquals(1, stored.size());
        assertEquals(6, RecordBatch.parse(stored.get(0)).baseOffset());

        // The next call continues where this one ended; the other partition is untouched.
        assertEquals(8, log.appendAll(TENANT, id, 0, List.of(batch("d", 1, 13)), 0).get(0).baseOffset());
        assertEquals(new PartitionOffsets(0, 0), log.offsets(TENANT, id, 1));
    }

    @Test
    void theCallersArraysAreNotModified() {
        TopicId id = topic("orders", 1, Map.of());
        log.append(TENANT, id, 0, batch("x", 1, 1), 0);
        byte[] first = batch("a", 2, 1);
        byte[] second = batch("b", 1, 1);
        byte[] firstCopy = first.clone();
        byte[] secondCopy = second.clone();
        log.appendAll(TENANT, id, 0, List.of(first, second), 0);
        assertArrayEquals(firstCopy, first);
        assertArrayEquals(secondCopy, second);
    }

    @Test
    void aBadBatchAnywhereWritesNothing() {
        TopicId id = topic("orders", 1, Map.of());
        log.append(TENANT, id, 0, batch("before", 1, 1), 0);
        byte[] corrupted = batch("bad", 2, 1);
        corrupted[corrupted.length - 1] ^= 1;

        LogException e = failure(() -> log.appendAll(TENANT, id, 0, List.of(batch("a", 2, 1), corrupted, batch("c", 1, 1)), 0));
        assertEquals(LogErrorCode.INVALID_BATCH, e.code());
        assertEquals(InvalidRecordBatchException.Reason.CRC_MISMATCH, e.batchReason());
        // Last in the list too: nothing before it was written either.
        assertEquals(LogErrorCode.INVALID_BATCH, failure(() -> log.appendAll(TENANT, id, 0, List.of(batch("a", 2, 1), corrupted), 0)).code());
        assertEquals(List.of("0:before-0"), values(id, 0));
        assertEquals(new PartitionOffsets(0, 1), log.offsets(TENANT, id, 0));
        assertEquals(LogErrorCode.INVALID_REQUEST, failure(() -> log.appendAll(TENANT, id, 0, List.of(), 0)).code());
        assertEquals(LogErrorCode.UNKNOWN_PARTITION, failure(() -> log.appendAll(TENANT, id, 1, List.of(batch("a", 1, 1)), 0)).code());
    }

    @Test
    void aBatchAboveMaxMessageBytesWritesNothing() {
        TopicId id = topic("small", 1, Map.of("max.message.bytes", "1000"));
        byte[] fits = batch("x".repeat(100), 5, 1);
        byte[] big = batch("x".repeat(500), 3, 1);
        assertTrue(fits.length <= 1000 && big.length > 1000);
        // The limit is per batch: three that fit may together exceed it.
        assertEquals(2, log.appendAll(TENANT, id, 0, List.of(fits, fits, fits), 0).get(2).baseOffset() / 5);

        LogException e = failure(() -> log.appendAll(TENANT, id, 0, List.of(fits, big, fits), 0));
        assertEquals(LogErrorCode.RECORD_TOO_LARGE, e.code());
        assertEquals(new PartitionOffsets(0, 15), log.offsets(TENANT, id, 0), "nothing of the call written");
    }

    @Test
    void aCallAboveTheTransactionBoundWritesNothing() {
        TopicId id = topic("big", 1, Map.of("max.message.bytes", "8388608"));
        byte[] value = new byte[1_000_000];
        RecordBatchBuilder builder = RecordBatch.builder();
        for (int i = 0; i < 5; i++) {
            builder.append(1, null, value);
        }
        byte[] large = builder.build(); // about 5 MB: one fits, two exceed MAX_APPEND_ALL_BYTES
        assertTrue(large.length * 2L > PartitionLog.MAX_APPEND_ALL_BYTES && large.length < PartitionLog.MAX_APPEND_ALL_BYTES);

        LogException e = failure(() -> log.appendAll(TENANT, id, 0, List.of(batch("a", 1, 1), large, large), 0));
        assertEquals(LogErrorCode.INVALID_REQUEST, e.code());
        assertEquals(new PartitionOffsets(0, 0), log.offsets(TENANT, id, 0));
        // One batch alone is bounded by max.message.bytes only.
        assertEquals(0, log.appendAll(TENANT, id, 0, List.of(large), 0).get(0).baseOffset());
        assertEquals(5, log.appendAll(TENANT, id, 0, List.of(batch("b", 1, 1)), 0).get(0).baseOffset());
    }

    @Test
    void aStaleOrFutureEpochWritesNothing() {
        TopicId id = topic("orders", 1, Map.of());
        log.appendAll(TENANT, id, 0, List.of(batch("a", 1, 1)), 0);
        assertEquals(1, log.advanceLeaderEpoch(TENANT, id, 0));

        LogException fenced = failure(() -> log.appendAll(TENANT, id, 0, List.of(batch("b", 1, 1), batch("c", 1, 1)), 0));
        assertEquals(LogErrorCode.FENCED_LEADER_EPOCH, fenced.code());
        LogException future = failure(() -> log.appendAll(TENANT, id, 0, List.of(batch("b", 1, 1), batch("c", 1, 1)), 2));
        assertEquals(LogErrorCode.UNKNOWN_LEADER_EPOCH, future.code());
        assertEquals(List.of("0:a-0"), values(id, 0));

        List<AppendResult> current = log.appendAll(TENANT, id, 0, List.of(batch("d", 1, 1), batch("e", 2, 1)), 1);
        assertEquals(List.of(1L, 2L), current.stream().map(AppendResult::baseOffset).toList());
        assertEquals(List.of("0:a-0", "1:d-0", "2:e-0", "3:e-1"), values(id, 0));
    }

    @Test
    void theTimeIndexCoversEveryBatchOfTheCall() {
        TopicId id = topic("times", 1, Map.of());
        // Within one call the running max rises twice, dips, then rises again.
        log.appendAll(TENANT, id, 0, List.of(batch("a", 1, 100), batch("b", 1, 200), batch("c", 1, 150), batch("d", 1, 300)), 0);
        assertEquals(Optional.of(new TimestampOffset(0, 100)), log.offsetForTimestamp(TENANT, id, 0, 50));
        assertEquals(Optional.of(new TimestampOffset(1, 200)), log.offsetForTimestamp(TENANT, id, 0, 101));
        assertEquals(Optional.of(new TimestampOffset(1, 200)), log.offsetForTimestamp(TENANT, id, 0, 160));
        assertEquals(Optional.of(new TimestampOffset(3, 300)), log.offsetForTimestamp(TENANT, id, 0, 201));
        assertEquals(Optional.empty(), log.offsetForTimestamp(TENANT, id, 0, 301));
    }

    @Test
    void concurrentCallsEachGetOneContiguousRange() throws Exception {
        TopicId id = topic("hot", 1, Map.of());
        int threads = 4;
        int calls = 100;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<List<List<AppendResult>>>> futures = new ArrayList<>();
        try {
            for (int t = 0; t < threads; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    List<List<AppendResult>> mine = new ArrayList<>();
                    for (int i = 0; i < calls; i++) {
                        mine.add(log.appendAll(TENANT, id, 0, List.of(batch(thread + "/" + i + "/0", 1 + i % 2, 1),
                                batch(thread + "/" + i + "/1", 1, 1), batch(thread + "/" + i + "/2", 2, 1)), 0));
                    }
                    return mine;
                }));
            }
            List<long[]> ranges = new ArrayList<>();
            for (Future<List<List<AppendResult>>> f : futures) {
                for (List<AppendResult> call : f.get(2, TimeUnit.MINUTES)) {
                    // No other call's batch lands between the batches of one call.
                    assertEquals(call.get(0).lastOffset() + 1, call.get(1).baseOffset());
                    assertEquals(call.get(1).lastOffset() + 1, call.get(2).baseOffset());
                    ranges.add(new long[] {call.get(0).baseOffset(), call.get(2).lastOffset()});
                }
            }
            ranges.sort((x, y) -> Long.compare(x[0], y[0]));
            long next = 0;
            for (long[] r : ranges) {
                assertEquals(next, r[0], "no gap, no overlap between calls");
                next = r[1] + 1;
            }
            assertEquals(next, log.offsets(TENANT, id, 0).highWatermark());
            assertEquals(next, values(id, 0).size());
        } finally {
            pool.shutdownNow();
        }
    }
}
