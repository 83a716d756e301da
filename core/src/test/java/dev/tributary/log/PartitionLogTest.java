package dev.tributary.log;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.apple.foundationdb.subspace.Subspace;
import dev.tributary.record.InvalidRecordBatchException;
import dev.tributary.record.Record;
import dev.tributary.record.RecordBatch;
import dev.tributary.record.RecordBatchBuilder;
import dev.tributary.storage.KeyValue;
import dev.tributary.storage.embedded.EmbeddedStore;
import dev.tributary.topic.TopicId;
import dev.tributary.topic.TopicMetadata;
import dev.tributary.topic.TopicStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

class PartitionLogTest {
    static final String TENANT = "acme";

    @TempDir
    Path dir;
    EmbeddedStore store;
    TopicStore topics;
    PartitionLog log;

    @BeforeEach
    void open() {
        openStore();
    }

    private void openStore() {
        store = EmbeddedStore.open(dir);
        topics = new TopicStore(store);
        log = new PartitionLog(store);
    }

    @AfterEach
    void close() {
        store.close();
    }

    static LogException failure(Executable e) {
        return assertThrows(LogException.class, e);
    }

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** A batch of {@code n} records with values "prefix-i" and timestamp ts. */
    static byte[] batch(String prefix, int n, long ts) {
        RecordBatchBuilder builder = RecordBatch.builder();
        for (int i = 0; i < n; i++) {
            builder.append(ts, b("k" + i), b(prefix + "-" + i));
        }
        return builder.build();
    }

    static List<Record> records(FetchResult result) {
        List<Record> out = new ArrayList<>();
        for (byte[] bytes : result.batches()) {
            out.addAll(RecordBatch.parse(bytes).records());
        }
        return out;
    }

    TopicMetadata topic(String name, int partitions, Map<String, String> config) {
        return topics.create(TENANT, name, partitions, config);
    }

    @Test
    void appendAssignsDenseOffsetsAndFetchReturnsWholeBatches() {
        TopicId id = topic("orders", 2, Map.of()).id();
        AppendResult first = log.append(TENANT, id, 0, batch("a", 3, 1000), 0);
        AppendResult second = log.append(TENANT, id, 0, batch("b", 2, 1001), 0);
        AppendResult other = log.append(TENANT, id, 1, batch("c", 1, 1002), 0);
        assertEquals(0, first.baseOffset());
        assertEquals(2, first.lastOffset());
        assertEquals(3, second.baseOffset());
        assertEquals(4, second.lastOffset());
        assertEquals(0, other.baseOffset(), "partitions have their own offsets");
        assertTrue(first.logAppendTimeMillis() > 0);
        assertEquals(new PartitionOffsets(0, 5), log.offsets(TENANT, id, 0));

        FetchResult all = log.fetch(TENANT, id, 0, 0, 1 << 20);
        assertEquals(2, all.batches().size());
        assertEquals(5, all.highWatermark());
        List<Record> recs = records(all);
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L), recs.stream().map(Record::offset).toList());
        assertArrayEquals(b("b-1"), recs.get(4).value());
        assertEquals(1001, recs.get(4).timestamp());

        // From the middle of the first batch: that whole batch comes back first.
        FetchResult middle = log.fetch(TENANT, id, 0, 1, 1 << 20);
        assertEquals(0, RecordBatch.parse(middle.batches().get(0)).baseOffset());
        assertEquals(2, middle.batches().size());
        FetchResult fromSecond = log.fetch(TENANT, id, 0, 3, 1 << 20);
        assertEquals(1, fromSecond.batches().size());
        assertEquals(3, RecordBatch.parse(fromSecond.batches().get(0)).baseOffset());

        // A byte budget smaller than one batch still returns that batch, and no more.
        FetchResult tiny = log.fetch(TENANT, id, 0, 0, 1);
        assertEquals(1, tiny.batches().size());
        int firstSize = tiny.batches().get(0).length;
        assertEquals(1, log.fetch(TENANT, id, 0, 0, firstSize).batches().size());
        assertEquals(1, log.fetch(TENANT, id, 0, 0, firstSize + 1).batches().size());
        assertEquals(2, log.fetch(TENANT, id, 0, 0, (int) all.sizeInBytes()).batches().size());

        // At the high watermark: nothing yet, not an error.
        FetchResult atEnd = log.fetch(TENANT, id, 0, 5, 1 << 20);
        assertTrue(atEnd.batches().isEmpty());
        assertEquals(5, atEnd.highWatermark());
    }

    @Test
    void theCallersBatchIsNotModified() {
        TopicId id = topic("orders", 1, Map.of()).id();
        log.append(TENANT, id, 0, batch("a", 1, 1), 0);
        byte[] mine = batch("b", 1, 1);
        byte[] copy = mine.clone();
        assertEquals(1, log.append(TENANT, id, 0, mine, 0).baseOffset());
        assertArrayEquals(copy, mine);
    }

    @Test
    void outOfRangeNamesTheValidRange() {
        TopicId id = topic("orders", 1, Map.of()).id();
        log.append(TENANT, id, 0, batch("a", 4, 1), 0);
        LogException below = failure(() -> log.fetch(TENANT, id, 0, -1, 100));
        assertEquals(LogErrorCode.OFFSET_OUT_OF_RANGE, below.code());
        assertTrue(below.getMessage().contains("[0, 4]"), below.getMessage());
        LogException above = failure(() -> log.fetch(TENANT, id, 0, 5, 100));
        assertEquals(LogErrorCode.OFFSET_OUT_OF_RANGE, above.code());
        assertTrue(above.getMessage().contains("[0, 4]"), above.getMessage());
        assertEquals(LogErrorCode.INVALID_REQUEST, failure(() -> log.fetch(TENANT, id, 0, 0, 0)).code());
    }

    @Test
    void unknownTopicsAndPartitions() {
        TopicId id = topic("orders", 2, Map.of()).id();
        assertEquals(LogErrorCode.UNKNOWN_PARTITION, failure(() -> log.append(TENANT, id, 2, batch("a", 1, 1), 0)).code());
        assertEquals(LogErrorCode.UNKNOWN_PARTITION, failure(() -> log.append(TENANT, id, -1, batch("a", 1, 1), 0)).code());
        assertEquals(LogErrorCode.UNKNOWN_PARTITION, failure(() -> log.fetch(TENANT, id, 7, 0, 10)).code());
        TopicId missing = TopicId.random();
        assertEquals(LogErrorCode.UNKNOWN_TOPIC, failure(() -> log.append(TENANT, missing, 0, batch("a", 1, 1), 0)).code());
        assertEquals(LogErrorCode.UNKNOWN_TOPIC, failure(() -> log.offsets(TENANT, missing, 0)).code());
        // Another tenant does not see this tenant's topic, even with its id.
        assertEquals(LogErrorCode.UNKNOWN_TOPIC, failure(() -> log.append("globex", id, 0, batch("a", 1, 1), 0)).code());
        assertEquals(LogErrorCode.UNKNOWN_TOPIC, failure(() -> log.fetch("globex", id, 0, 0, 10)).code());
        // Added partitions become usable.
        topics.addPartitions(TENANT, "orders", 3);
        assertEquals(0, log.append(TENANT, id, 2, batch("a", 1, 1), 0).baseOffset());
    }

    @Test
    void malformedBatchesAreRejectedWithTheirReason() {
        TopicId id = topic("orders", 1, Map.of()).id();
        byte[] corrupted = batch("a", 2, 1);
        corrupted[corrupted.length - 1] ^= 1;
        LogException e = failure(() -> log.append(TENANT, id, 0, corrupted, 0));
        assertEquals(LogErrorCode.INVALID_BATCH, e.code());
        assertEquals(InvalidRecordBatchException.Reason.CRC_MISMATCH, e.batchReason());
        LogException truncated = failure(() -> log.append(TENANT, id, 0, Arrays.copyOf(batch("a", 2, 1), 30), 0));
        assertEquals(InvalidRecordBatchException.Reason.TRUNCATED, truncated.batchReason());
        assertEquals(new PartitionOffsets(0, 0), log.offsets(TENANT, id, 0));
    }

    @Test
    void maxMessageBytesIsEnforced() {
        TopicId id = topic("small", 1, Map.of("max.message.bytes", "1000")).id();
        byte[] fits = batch("x".repeat(100), 5, 1);
        assertTrue(fits.length <= 1000);
        log.append(TENANT, id, 0, fits, 0);
        byte[] big = batch("x".repeat(500), 3, 1);
        LogException e = failure(() -> log.append(TENANT, id, 0, big, 0));
        assertEquals(LogErrorCode.RECORD_TOO_LARGE, e.code());
        assertTrue(e.getMessage().contains("1000"), e.getMessage());
        assertEquals(5, log.offsets(TENANT, id, 0).highWatermark(), "nothing written");
        // Raising the limit takes effect for the next append.
        topics.updateConfig(TENANT, "small", Map.of("max.message.bytes", "100000"), Set.of());
        assertEquals(5, log.append(TENANT, id, 0, big, 0).baseOffset());
    }

    @Test
    void largeBatchesAreChunkedAndReassembled() {
        TopicId id = topic("big", 1, Map.of("max.message.bytes", "8388608")).id();
        SplittableRandom random = new SplittableRandom(1);
        log.append(TENANT, id, 0, batch("small", 2, 1), 0);
        RecordBatchBuilder builder = RecordBatch.builder();
        List<byte[]> values = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            byte[] v = new byte[30_000];
            random.nextBytes(v);
            values.add(v);
            builder.append(10 + i, null, v);
        }
        byte[] large = builder.build();
        assertTrue(large.length > 3 * PartitionLog.CHUNK_BYTES);
        AppendResult r = log.append(TENANT, id, 0, large, 0);
        assertEquals(2, r.baseOffset());
        log.append(TENANT, id, 0, batch("after", 1, 1), 0);

        Subspace partition = LogKeySpace.topicLog(TENANT, id.toBytes()).get(0);
        List<KeyValue> chunks = store.read(tx -> tx.getRangeStartsWith(partition.pack(com.apple.foundationdb.tuple.Tuple.from("b", 2L))).join());
        assertEquals((large.length + PartitionLog.CHUNK_BYTES - 1) / PartitionLog.CHUNK_BYTES, chunks.size());

        FetchResult fromInside = log.fetch(TENANT, id, 0, 5, 1);
        assertEquals(1, fromInside.batches().size(), "at least one whole batch even above max bytes");
        byte[] expected = large.clone();
        RecordBatch.setBaseOffset(expected, 2);
        assertArrayEquals(expected, fromInside.batches().get(0));
        List<Record> recs = records(log.fetch(TENANT, id, 0, 0, 16 << 20));
        assertEquals(15, recs.size());
        for (int i = 0; i < 12; i++) {
            assertArrayEquals(values.get(i), recs.get(2 + i).value());
            assertEquals(2 + i, recs.get(2 + i).offset());
        }
        assertArrayEquals(b("after-0"), recs.get(14).value());
        // A budget that ends inside the large batch stops before it.
        assertEquals(1, log.fetch(TENANT, id, 0, 0, 1000).batches().size());
    }

    @Test
    void staleLeaderEpochsAreFenced() {
        TopicId id = topic("orders", 1, Map.of()).id();
        assertEquals(0, log.leaderEpoch(TENANT, id, 0));
        log.append(TENANT, id, 0, batch("a", 1, 1), 0);
        assertEquals(1, log.advanceLeaderEpoch(TENANT, id, 0));
        LogException fenced = failure(() -> log.append(TENANT, id, 0, batch("b", 1, 1), 0));
        assertEquals(LogErrorCode.FENCED_LEADER_EPOCH, fenced.code());
        assertEquals(LogErrorCode.UNKNOWN_LEADER_EPOCH, failure(() -> log.append(TENANT, id, 0, batch("b", 1, 1), 2)).code());
        assertEquals(1, log.append(TENANT, id, 0, batch("c", 1, 1), 1).baseOffset());
        assertEquals(2, log.offsets(TENANT, id, 0).highWatermark());
    }

    @Test
    void concurrentAppendersGetDenseUniqueOffsets() throws Exception {
        TopicId id = topic("hot", 1, Map.of()).id();
        int threads = 8;
        int perThread = 500;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<List<long[]>>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            futures.add(pool.submit(() -> {
                List<long[]> mine = new ArrayList<>();
                for (int i = 0; i < perThread; i++) {
                    int n = 1 + (i % 3);
                    AppendResult r = log.append(TENANT, id, 0, batch(thread + "/" + i, n, i), 0);
                    assertEquals(n - 1, r.lastOffset() - r.baseOffset());
                    mine.add(new long[] {r.baseOffset(), r.lastOffset(), thread, i});
                }
                return mine;
            }));
        }
        List<long[]> all = new ArrayList<>();
        for (Future<List<long[]>> f : futures) {
            all.addAll(f.get(5, TimeUnit.MINUTES));
        }
        pool.shutdown();
        all.sort((x, y) -> Long.compare(x[0], y[0]));
        long expectedBase = 0;
        for (long[] r : all) {
            assertEquals(expectedBase, r[0], "no gap, no overlap");
            expectedBase = r[1] + 1;
        }
        assertEquals(expectedBase, log.offsets(TENANT, id, 0).highWatermark());
        // The stored log holds every acknowledged batch exactly once, at its acknowledged offset.
        Set<String> seen = new HashSet<>();
        long next = 0;
        int batchIndex = 0;
        while (next < expectedBase) {
            FetchResult f = log.fetch(TENANT, id, 0, next, 64 * 1024);
            for (byte[] bytes : f.batches()) {
                RecordBatch batch = RecordBatch.parse(bytes);
                long[] acked = all.get(batchIndex++);
                assertEquals(acked[0], batch.baseOffset());
                String value = new String(batch.records().get(0).value(), StandardCharsets.UTF_8);
                assertEquals(acked[2] + "/" + acked[3] + "-0", value);
                assertTrue(seen.add(value));
                next = batch.lastOffset() + 1;
            }
        }
        assertEquals(threads * perThread, seen.size());
    }

    @Test
    void appendsToDifferentPartitionsNeverConflict() throws Exception {
        int partitions = 4;
        TopicId id = topic("spread", partitions, Map.of()).id();
        long conflictsBefore = store.stats().conflicts();
        ExecutorService pool = Executors.newFixedThreadPool(partitions);
        List<Future<?>> futures = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            int partition = p;
            futures.add(pool.submit(() -> {
                for (int i = 0; i < 200; i++) {
                    assertEquals(i * 2L, log.append(TENANT, id, partition, batch("p" + partition, 2, i), 0).baseOffset());
                }
            }));
        }
        for (Future<?> f : futures) {
            f.get(2, TimeUnit.MINUTES);
        }
        pool.shutdown();
        assertEquals(conflictsBefore, store.stats().conflicts(), "no append was retried because of another partition's");
        for (int p = 0; p < partitions; p++) {
            assertEquals(400, log.offsets(TENANT, id, p).highWatermark());
        }
    }

    @Test
    void offsetForTimestampIsTheEarliestRecordAtOrAfterIt() {
        TopicId id = topic("times", 1, Map.of()).id();
        assertEquals(Optional.empty(), log.offsetForTimestamp(TENANT, id, 0, 0));
        SplittableRandom random = new SplittableRandom(42);
        List<long[]> all = new ArrayList<>(); // offset, timestamp
        for (int b = 0; b < 150; b++) {
            RecordBatchBuilder builder = RecordBatch.builder();
            int n = random.nextInt(1, 5);
            long[] timestamps = new long[n];
            for (int i = 0; i < n; i++) {
                // Mostly increasing with jitter and occasional records from the past.
                timestamps[i] = b * 10L + random.nextInt(-25, 15) + (random.nextInt(10) == 0 ? -500 : 0);
                builder.append(timestamps[i], null, b("v"));
            }
            AppendResult r = log.append(TENANT, id, 0, builder.build(), 0);
            for (int i = 0; i < n; i++) {
                all.add(new long[] {r.baseOffset() + i, timestamps[i]});
            }
        }
        for (long t = -600; t <= 1600; t += 7) {
            Optional<TimestampOffset> expected = Optional.empty();
            for (long[] rec : all) {
                if (rec[1] >= t) {
                    expected = Optional.of(new TimestampOffset(rec[0], rec[1]));
                    break;
                }
            }
            assertEquals(expected, log.offsetForTimestamp(TENANT, id, 0, t), "timestamp " + t);
        }
    }

    @Test
    void theHighWatermarkWatchWakesAWaiter() throws Exception {
        TopicId id = topic("orders", 1, Map.of()).id();
        CompletableFuture<Long> waiting = log.awaitHighWatermarkAbove(TENANT, id, 0, 0);
        Thread.sleep(100);
        assertFalse(waiting.isDone());
        log.append(TENANT, id, 0, batch("a", 2, 1), 0);
        assertEquals(2L, waiting.get(10, TimeUnit.SECONDS));
        // Already above: completes at once.
        assertEquals(2L, log.awaitHighWatermarkAbove(TENANT, id, 0, 1).get(1, TimeUnit.SECONDS));
        // Waiting past the next append: woken only once the HWM is above the offset.
        CompletableFuture<Long> later = log.awaitHighWatermarkAbove(TENANT, id, 0, 3);
        log.append(TENANT, id, 0, batch("b", 1, 1), 0);
        Thread.sleep(100);
        assertFalse(later.isDone());
        log.append(TENANT, id, 0, batch("c", 1, 1), 0);
        assertEquals(4L, later.get(10, TimeUnit.SECONDS));
        // Giving up releases the wait without error; unknown partitions fail.
        CompletableFuture<Long> abandoned = log.awaitHighWatermarkAbove(TENANT, id, 0, 100);
        assertTrue(abandoned.cancel(false));
        LogException unknown = failure(() -> {
            try {
                log.awaitHighWatermarkAbove(TENANT, id, 5, 0).join();
            } catch (java.util.concurrent.CompletionException e) {
                throw e.getCause();
            }
        });
        assertEquals(LogErrorCode.UNKNOWN_PARTITION, unknown.code());
    }

    @Test
    void deleteAndRecreateDoesNotResurrectData() {
        TopicMetadata old = topic("orders", 2, Map.of());
        log.append(TENANT, old.id(), 0, batch("old", 3, 1), 0);
        log.append(TENANT, old.id(), 1, batch("old", 3, 1), 0);
        log.advanceLeaderEpoch(TENANT, old.id(), 0);
        topics.delete(TENANT, "orders");
        assertEquals(LogErrorCode.UNKNOWN_TOPIC, failure(() -> log.fetch(TENANT, old.id(), 0, 0, 100)).code());
        Subspace oldLog = LogKeySpace.topicLog(TENANT, old.id().toBytes());
        assertTrue(store.read(tx -> tx.getRange(oldLog.range().begin, oldLog.range().end).join()).isEmpty(),
                "the old log is gone from the store");
        TopicMetadata fresh = topic("orders", 2, Map.of());
        assertEquals(new PartitionOffsets(0, 0), log.offsets(TENANT, fresh.id(), 0));
        assertEquals(0, log.leaderEpoch(TENANT, fresh.id(), 0));
        assertEquals(0, log.append(TENANT, fresh.id(), 0, batch("new", 1, 1), 0).baseOffset());
        assertArrayEquals(b("new-0"), records(log.fetch(TENANT, fresh.id(), 0, 0, 1000)).get(0).value());
    }

    @Test
    void everythingSurvivesARestart() {
        TopicId id = topic("orders", 1, Map.of("max.message.bytes", "1000000")).id();
        log.append(TENANT, id, 0, batch("a", 3, 100), 0);
        byte[] big = batch("x".repeat(1000), 300, 200);
        log.append(TENANT, id, 0, big, 0);
        log.advanceLeaderEpoch(TENANT, id, 0);
        FetchResult before = log.fetch(TENANT, id, 0, 0, 1 << 22);
        store.close();
        openStore();
        FetchResult after = log.fetch(TENANT, id, 0, 0, 1 << 22);
        assertEquals(before.batches().size(), after.batches().size());
        for (int i = 0; i < before.batches().size(); i++) {
            assertArrayEquals(before.batches().get(i), after.batches().get(i));
        }
        assertEquals(303, after.highWatermark());
        assertEquals(1, log.leaderEpoch(TENANT, id, 0));
        assertEquals(Optional.of(new TimestampOffset(3, 200)), log.offsetForTimestamp(TENANT, id, 0, 150));
        assertEquals(303, log.append(TENANT, id, 0, batch("b", 1, 300), 1).baseOffset());
    }
}
