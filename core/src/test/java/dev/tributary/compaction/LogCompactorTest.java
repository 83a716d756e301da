package dev.tributary.compaction;

import static dev.tributary.compaction.CompactionTestSupport.TENANT;
import static dev.tributary.compaction.CompactionTestSupport.batch;
import static dev.tributary.compaction.CompactionTestSupport.string;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.compaction.CompactionResult.Status;
import dev.tributary.compaction.CompactionTestSupport.Rec;
import dev.tributary.log.LogErrorCode;
import dev.tributary.log.LogException;
import dev.tributary.log.LogKeySpace.PartitionKeys;
import dev.tributary.log.PartitionLog;
import dev.tributary.log.PartitionOffsets;
import dev.tributary.record.CompressionCodec;
import dev.tributary.record.Record;
import dev.tributary.record.RecordBatch;
import dev.tributary.record.RecordHeader;
import dev.tributary.retention.CountingStore;
import dev.tributary.retention.RetentionEnforcer;
import dev.tributary.storage.StorageTestSupport;
import dev.tributary.storage.embedded.EmbeddedStore;
import dev.tributary.topic.TopicId;
import dev.tributary.topic.TopicStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogCompactorTest {
    static final long NOW = 1_700_000_000_000L;
    /** Compacts whenever there is anything new; small transactions so that passes take several. */
    static final CompactionOptions EAGER = CompactionOptions.defaults().withMinDirtyRatio(0).withTransactionBounds(300, 2);

    @TempDir
    Path dir;
    EmbeddedStore store;
    TopicStore topics;
    PartitionLog log;
    CompactionTestSupport check;

    @BeforeEach
    void open() {
        store = EmbeddedStore.open(dir);
        topics = new TopicStore(store);
        log = new PartitionLog(store);
        check = new CompactionTestSupport(store, log);
    }

    @AfterEach
    void close() {
        store.close();
    }

    TopicId compactedTopic(String name, Map<String, String> config) {
        Map<String, String> all = new HashMap<>(config);
        all.put("cleanup.policy", "compact");
        return topics.create(TENANT, name, 1, all).id();
    }

    /** Appends the batches and returns every record as stored, in offset order. */
    List<Record> append(TopicId id, byte[]... batches) {
        long from = log.offsets(TENANT, id, 0).highWatermark();
        for (byte[] b : batches) {
            log.append(TENANT, id, 0, b, 0);
        }
        return check.records(id).stream().filter(r -> r.offset() >= from).toList();
    }

    static List<Record> at(List<Record> records, long... offsets) {
        List<Record> out = new ArrayList<>();
        for (long o : offsets) {
            out.add(records.stream().filter(r -> r.offset() == o).findFirst().orElseThrow());
        }
        return out;
    }

    @Test
    void keepsTheLatestRecordOfEachKeyAtItsOffsetWithItsContent() {
        TopicId id = compactedTopic("orders", Map.of());
        List<RecordHeader> headers = List.of(new RecordHeader("trace", CompactionTestSupport.utf8("t-1")),
                new RecordHeader("empty", null));
        List<Record> all = append(id,
                batch(new Rec("a", "a1", NOW - 900), new Rec("b", "b1", NOW - 890), new Rec("c", "c1", NOW - 880, headers)),
                batch(new Rec("a", "a2", NOW - 800), new Rec("d", "d1", NOW - 950, headers)),
                batch(new Rec("b", "b2", NOW - 700), new Rec("a", "a3", NOW - 690)),
                batch(new Rec("e", "e1", NOW - 600)));
        long bytesBefore = check.storedBytes(id);

        CompactionResult result = new LogCompactor(store, EAGER).compact(TENANT, id, 0, NOW);

        assertEquals(Status.COMPACTED, result.status());
        assertEquals(3, result.recordsRemoved(), "a@0, b@1 and a@3 are superseded");
        assertEquals(2, result.batchesRewritten());
        assertEquals(0, result.batchesRemoved());
        assertEquals(7, result.cleanOffset(), "everything before the newest batch is compacted");
        assertEquals(bytesBefore - check.storedBytes(id), result.bytesFreed());
        assertTrue(result.bytesFreed() > 0);
        assertEquals(new PartitionOffsets(0, 8), log.offsets(TENANT, id, 0), "log start and high watermark stay");
        // c keeps offset 2, its timestamp and headers; d keeps offset 4 and a timestamp below its batch's base.
        check.checkPartition(id, at(all, 2, 4, 5, 6, 7));
        List<RecordBatch> batches = check.batches(id);
        assertEquals(List.of(2L, 4L, 5L, 7L), batches.stream().map(RecordBatch::baseOffset).toList(),
                "a batch whose first records went starts at its first surviving record");
        assertEquals(List.of(2L, 4L, 6L, 7L), batches.stream().map(RecordBatch::lastOffset).toList());
        // Appends go on after the log end as before.
        assertEquals(8, log.append(TENANT, id, 0, batch(new Rec("f", "f1", NOW)), 0).baseOffset());
    }

    @Test
    void aSecondPassOverCompactedDataChangesNothing() {
        TopicId id = compactedTopic("orders", Map.of());
        append(id, batch(new Rec("a", "1", NOW - 50), new Rec("b", "1", NOW - 50)), batch(new Rec("a", "2", NOW - 40)),
                batch(new Rec("c", "1", NOW - 30)));
        LogCompactor compactor = new LogCompactor(store, EAGER);
        compactor.compact(TENANT, id, 0, NOW);
        // New data that supersedes nothing: the pass reads everything again and writes no batch.
        append(id, batch(new Rec("d", "1", NOW - 20)), batch(new Rec("e", "1", NOW - 10)));
        List<String> before = check.dataKeysAndValues(id);
        List<Record> records = check.records(id);

        CompactionResult again = compactor.compact(TENANT, id, 0, NOW);

        assertEquals(Status.COMPACTED, again.status());
        assertEquals(0, again.recordsRemoved() + again.tombstonesRemoved() + again.batchesRewritten() + again.batchesRemoved());
        assertEquals(before, check.dataKeysAndValues(id), "batches and index are byte for byte the same");
        check.checkPartition(id, records);
        assertEquals(Status.NOTHING_TO_COMPACT, compactor.compact(TENANT, id, 0, NOW).status(), "then nothing is new");
    }

    @Test
    void tombstonesDeleteOlderRecordsAndGoThemselvesAfterDeleteRetention() {
        TopicId id = compactedTopic("orders", Map.of("delete.retention.ms", "10000"));
        List<Record> all = append(id,
                batch(new Rec("k", "v1", NOW - 5000), new Rec("j", "j1", NOW - 5000)),
                batch(new Rec("k", null, NOW - 4000)),
                batch(new Rec("x", "x1", NOW - 3000)));
        // The default ratio (0.5): due tombstones must be removed even without new data.
        LogCompactor compactor = new LogCompactor(store);

        CompactionResult first = compactor.compact(TENANT, id, 0, NOW);
        assertEquals(1, first.recordsRemoved());
        assertEquals(0, first.tombstonesRemoved(), "the tombstone is 4 s old, delete.retention.ms is 10 s");
        check.checkPartition(id, at(all, 1, 2, 3));

        CompactionResult early = compactor.compact(TENANT, id, 0, NOW + 5_999);
        assertTrue(early.status() != Status.COMPACTED && early.tombstonesRemoved() == 0, "not due yet: " + early);
        check.checkPartition(id, at(all, 1, 2, 3));

        CompactionResult due = compactor.compact(TENANT, id, 0, NOW + 6_000);
        assertEquals(Status.COMPACTED, due.status());
        assertEquals(1, due.tombstonesRemoved());
        assertEquals(1, due.batchesRemoved(), "the tombstone's batch is left empty and removed");
        check.checkPartition(id, at(all, 1, 3));
        assertEquals(new PartitionOffsets(0, 4), log.offsets(TENANT, id, 0));
        assertTrue(check.records(id).stream().noneMatch(r -> "k".equals(string(r.key()))), "k stays deleted");
    }

    @Test
    void recordsWithinTheMinimumCompactionLagAreNeitherRemovedNorUsedToRemove() {
        TopicId id = compactedTopic("orders", Map.of("min.compaction.lag.ms", "60000"));
        List<Record> all = append(id,
                batch(new Rec("a", "1", NOW - 120_000)),
                batch(new Rec("a", "2", NOW - 90_000)),
                batch(new Rec("a", "3", NOW - 30_000)),
                batch(new Rec("a", "4", NOW - 1_000)),
                batch(new Rec("z", "1", NOW - 1_000)));
        LogCompactor compactor = new LogCompactor(store, EAGER);

        CompactionResult result = compactor.compact(TENANT, id, 0, NOW);
        assertEquals(2, result.cleanOffset(), "the third batch is within the lag: compaction stops before it");
        check.checkPartition(id, at(all, 1, 2, 3, 4));

        CompactionResult later = compactor.compact(TENANT, id, 0, NOW + 60_000);
        assertEquals(4, later.cleanOffset());
        check.checkPartition(id, at(all, 3, 4));
    }

    @Test
    void theNewestBatchIsNeverTouched() {
        TopicId id = compactedTopic("orders", Map.of());
        byte[] newest = batch(new Rec("a", "2", NOW - 10), new Rec("a", "3", NOW - 5));
        List<Record> all = append(id, batch(new Rec("a", "1", NOW - 20)), newest);
        LogCompactor compactor = new LogCompactor(store, EAGER);

        CompactionResult result = compactor.compact(TENANT, id, 0, NOW);
        assertEquals(0, result.recordsRemoved(), "a@0 is superseded only inside the newest batch, which is not mapped");
        check.checkPartition(id, all);
        byte[] stored = log.fetch(TENANT, id, 0, 1, 1 << 20).batches().get(0);
        RecordBatch.setBaseOffset(newest, 1);
        assertArrayEquals(newest, stored, "the newest batch is stored exactly as appended");

        all = new ArrayList<>(all);
        all.addAll(append(id, batch(new Rec("b", "1", NOW - 1))));
        compactor.compact(TENANT, id, 0, NOW);
        check.checkPartition(id, at(all, 2, 3));
    }

    @Test
    void aSmallKeyMapCompactsInSeveralPassesToTheSameResult() {
        TopicId small = compactedTopic("small", Map.of());
        TopicId reference = compactedTopic("reference", Map.of());
        Random random = new Random(7);
        for (int b = 0; b < 20; b++) {
            Rec[] records = new Rec[3];
            for (int i = 0; i < records.length; i++) {
                records[i] = new Rec("k" + random.nextInt(10), "v" + b + "-" + i, NOW - 1_000 + b);
            }
            byte[] bytes = batch(records);
            log.append(TENANT, small, 0, bytes, 0);
            log.append(TENANT, reference, 0, bytes.clone(), 0);
        }

        CompactionResult multi = new LogCompactor(store, EAGER.withMaxMapEntries(3)).compact(TENANT, small, 0, NOW);
        CompactionResult single = new LogCompactor(store, EAGER).compact(TENANT, reference, 0, NOW);

        assertEquals(1, single.passes());
        assertTrue(multi.passes() >= 4, "10 keys, 3 per pass: " + multi);
        assertEquals(Status.COMPACTED, multi.status());
        assertEquals(single.cleanOffset(), multi.cleanOffset());
        assertEquals(single.recordsRemoved(), multi.recordsRemoved());
        List<Record> expected = check.records(reference);
        check.checkPartition(small, expected);
        check.checkPartition(reference, expected);
    }

    @Test
    void concurrentAppendsAreNeverRetriedNorLost() throws Exception {
        TopicId id = compactedTopic("orders", Map.of());
        CountingStore appendSide = new CountingStore(store);
        CountingStore compactionSide = new CountingStore(store);
        PartitionLog appender = new PartitionLog(appendSide);
        LogCompactor compactor = new LogCompactor(compactionSide, EAGER.withMaxMapEntries(4));
        AtomicBoolean appending = new AtomicBoolean(true);
        CompletableFuture<Long> removed = CompletableFuture.supplyAsync(() -> {
            long n = 0;
            while (appending.get()) {
                n += compactor.compact(TENANT, id, 0, NOW).recordsRemoved();
            }
            return n;
        });
        List<Rec> produced = new ArrayList<>();
        int batches = 300;
        for (int i = 0; i < batches; i++) {
            Rec one = new Rec("k" + (i % 7), "v" + i, NOW - 100_000 + i);
            Rec two = new Rec("k" + (i * 3 % 11), "w" + i, NOW - 100_000 + i);
            produced.add(one);
            produced.add(two);
            // One appender, so a retried append could only be compaction's doing.
            assertEquals(2L * i, appender.append(TENANT, id, 0, batch(one, two), 0).baseOffset(), "dense offsets");
        }
        appending.set(false);
        long removedConcurrently = removed.get(60, TimeUnit.SECONDS);
        compactor.compact(TENANT, id, 0, NOW);

        assertEquals(0, appendSide.retries.get(), "appends retried because of compaction");
        assertEquals(0, compactionSide.retries.get(), "compaction retried because of appends");
        assertEquals(batches, appendSide.commits.get());
        assertTrue(removedConcurrently > 0, "compaction ran while appending");
        // Exactly the latest record of each key before the newest batch, then the newest batch.
        Map<String, Long> latest = new LinkedHashMap<>();
        for (int o = 0; o < 2 * (batches - 1); o++) {
            latest.put(produced.get(o).key(), (long) o);
        }
        List<Record> expected = new ArrayList<>();
        for (int o = 0; o < 2 * batches; o++) {
            Rec r = produced.get(o);
            if (o >= 2 * (batches - 1) || latest.get(r.key()) == o) {
                expected.add(new Record(o, r.timestamp(), CompactionTestSupport.utf8(r.key()), CompactionTestSupport.utf8(r.value()),
                        List.of()));
            }
        }
        check.checkPartition(id, expected);
        assertEquals(new PartitionOffsets(0, 2L * batches), log.offsets(TENANT, id, 0));
    }

    @Test
    void twoCompactorsOnOnePartitionConflictAndRetryButNeverCorruptIt() {
        TopicId id = compactedTopic("orders", Map.of("delete.retention.ms", "0"));
        Random random = new Random(11);
        List<byte[]> appended = new ArrayList<>();
        for (int b = 0; b < 120; b++) {
            int key = random.nextInt(12);
            String value = random.nextInt(5) == 0 ? null : "v" + b;
            appended.add(batch(new Rec("k" + key, value, NOW - 1_000), new Rec("k" + random.nextInt(12), "w" + b, NOW - 1_000)));
        }
        List<Record> all = append(id, appended.toArray(byte[][]::new));
        CountingStore counting = new CountingStore(store);
        StorageTestSupport.runConcurrently(2, 60, worker -> {
            LogCompactor compactor = new LogCompactor(counting, EAGER.withMaxMapEntries(3 + worker));
            for (int i = 0; i < 3; i++) {
                compactor.compact(TENANT, id, 0, NOW);
            }
        });
        assertTrue(counting.retries.get() > 0, "the two compactors overlapped and one retried");
        new LogCompactor(store, EAGER).compact(TENANT, id, 0, NOW);

        Map<String, Record> latest = new LinkedHashMap<>();
        long newestBase = all.get(all.size() - 2).offset();
        for (Record r : all) {
            if (r.offset() < newestBase) {
                latest.put(string(r.key()), r);
            }
        }
        List<Record> expected = all.stream()
                .filter(r -> r.offset() >= newestBase || (latest.get(string(r.key())) == r && r.value() != null))
                .toList();
        check.checkPartition(id, expected);
    }

    @Test
    void randomHistoriesKeepEveryInvariant() {
        TopicId id = compactedTopic("orders", Map.of("delete.retention.ms", "500"));
        Random random = new Random(2024);
        Map<Long, Record> originals = new HashMap<>();
        long now = NOW;
        for (int round = 0; round < 12; round++) {
            int batches = 1 + random.nextInt(12);
            for (int b = 0; b < batches; b++) {
                Rec[] records = new Rec[1 + random.nextInt(4)];
                for (int i = 0; i < records.length; i++) {
                    String key = random.nextInt(10) == 0 ? null : "k" + random.nextInt(14);
                    String value = random.nextInt(6) == 0 ? null : "v" + round + "-" + b + "-" + i;
                    // Timestamps need not increase: they wander around the clock.
                    records[i] = new Rec(key, value, now - 2_000 + random.nextInt(2_500));
                }
                for (Record r : append(id, batch(records))) {
                    originals.put(r.offset(), r);
                }
            }
            topics.updateConfig(TENANT, "orders", Map.of("min.compaction.lag.ms", Integer.toString(random.nextInt(1_500))), List.of());
            now += random.nextInt(800);
            CompactionOptions options = EAGER.withMaxMapEntries(1 + random.nextInt(8))
                    .withTransactionBounds(50 + random.nextInt(400), 1 + random.nextInt(4));
            new LogCompactor(store, options).compact(TENANT, id, 0, now);
            checkInvariants(id, originals);
        }
        topics.updateConfig(TENANT, "orders", Map.of("min.compaction.lag.ms", "0"), List.of());
        new LogCompactor(store, EAGER).compact(TENANT, id, 0, now + 1_000_000);
        // Now everything before the newest batch is compacted and every tombstone is due.
        long newestBase = check.batches(id).get(check.batches(id).size() - 1).baseOffset();
        Map<String, Long> latest = new HashMap<>();
        originals.values().stream().filter(r -> r.offset() < newestBase && r.key() != null)
                .forEach(r -> latest.merge(string(r.key()), r.offset(), Math::max));
        List<Record> expected = originals.values().stream()
                .filter(r -> r.offset() >= newestBase || r.key() == null
                        || (latest.get(string(r.key())) == r.offset() && r.value() != null))
                .sorted(Comparator.comparingLong(Record::offset)).toList();
        check.checkPartition(id, expected);
    }

    /** What must hold after any compaction, whatever the options and timing. */
    private void checkInvariants(TopicId id, Map<Long, Record> originals) {
        List<Record> survivors = check.records(id);
        Map<Long, Record> byOffset = new HashMap<>();
        for (Record r : survivors) {
            assertEquals(originals.get(r.offset()), r, "a surviving record is exactly what was appended at its offset");
            byOffset.put(r.offset(), r);
        }
        Map<String, Long> latest = new HashMap<>();
        for (Record r : originals.values()) {
            if (r.key() == null) {
                assertTrue(byOffset.containsKey(r.offset()), "records without a key are kept");
            } else {
                latest.merge(string(r.key()), r.offset(), Math::max);
            }
        }
        for (Map.Entry<String, Long> e : latest.entrySet()) {
            Record last = originals.get(e.getValue());
            if (last.value() != null) {
                assertTrue(byOffset.containsKey(last.offset()), "the latest value of " + e.getKey() + " is kept");
            } else if (!byOffset.containsKey(last.offset())) {
                assertTrue(survivors.stream().noneMatch(r -> e.getKey().equals(string(r.key()))),
                        "once the tombstone of " + e.getKey() + " is gone, no older value of it is left");
            }
        }
        long highWatermark = log.offsets(TENANT, id, 0).highWatermark();
        assertEquals(originals.size(), highWatermark);
        assertEquals(0, log.offsets(TENANT, id, 0).logStartOffset());
        check.checkFetchFromEveryOffset(id, survivors);
        check.checkOffsetsForTimestamps(id, survivors);
        assertEquals(check.storedBytes(id), check.retainedBytesCounter(id), "the retained-bytes counter is exact");
        check.checkIndex(id);
    }

    @Test
    void compressedBatchesKeepTheirCodecAndProducerStateMovesWithTheBase() {
        TopicId id = compactedTopic("orders", Map.of());
        List<CompressionCodec> codecs = Arrays.stream(CompressionCodec.values()).filter(CompressionCodec::supported).toList();
        List<byte[]> batches = new ArrayList<>();
        for (CompressionCodec codec : codecs) {
            batches.add(batch(RecordBatch.builder().compression(codec).producer(42, (short) 3, 1_000),
                    new Rec("gone-" + codec, "x".repeat(200), NOW - 100), new Rec("keep-" + codec, "y".repeat(200), NOW - 99)));
        }
        for (CompressionCodec codec : codecs) {
            batches.add(batch(new Rec("gone-" + codec, "z", NOW - 50)));
        }
        batches.add(batch(new Rec("last", "1", NOW - 10)));
        List<Record> all = append(id, batches.toArray(byte[][]::new));

        new LogCompactor(store, EAGER).compact(TENANT, id, 0, NOW);

        List<RecordBatch> stored = check.batches(id);
        for (int i = 0; i < codecs.size(); i++) {
            RecordBatch b = stored.get(i);
            assertEquals(codecs.get(i), b.compression(), "the rewritten batch keeps its codec");
            assertEquals(2L * i + 1, b.baseOffset());
            assertEquals(1, b.recordCount());
            assertEquals(42, b.producerId());
            assertEquals(3, b.producerEpoch());
            assertEquals(1_001, b.baseSequence(), "the surviving record keeps its sequence number");
        }
        List<Record> expected = all.stream().filter(r -> !string(r.key()).startsWith("gone-") || r.offset() >= 2L * codecs.size())
                .toList();
        check.checkPartition(id, expected);
    }

    @Test
    void batchesStoredInSeveralChunksAreRewrittenIntoFewerChunks() {
        TopicId id = compactedTopic("orders", Map.of());
        String value = "v".repeat(1_000);
        Rec[] large = new Rec[400];
        Rec[] updates = new Rec[300];
        for (int i = 0; i < large.length; i++) {
            large[i] = new Rec("k" + i, value + i, NOW - 100);
        }
        for (int i = 0; i < updates.length; i++) {
            updates[i] = new Rec("k" + i, "new" + i, NOW - 50);
        }
        List<Record> all = append(id, batch(large), batch(updates), batch(new Rec("last", "1", NOW - 10)));
        assertTrue(check.storedBytes(id) > 4 * PartitionLog.CHUNK_BYTES);

        CompactionResult result = new LogCompactor(store).compact(TENANT, id, 0, NOW);

        assertEquals(300, result.recordsRemoved());
        List<Record> expected = all.stream().filter(r -> r.offset() >= 300).toList();
        check.checkPartition(id, expected);
        PartitionKeys keys = CompactionTestSupport.keys(id);
        long chunksOfFirst = store.read(tx -> tx.getRange(keys.batchesFrom(300), keys.batchesFrom(301)).join()).size();
        assertEquals(2, chunksOfFirst, "100 records of about 1 KB: two chunks, the old ones cleared");
        assertEquals(0, store.read(tx -> tx.getRange(keys.batchesBegin(), keys.batchesFrom(300)).join()).size());
    }

    @Test
    void recordsWithoutAKeyAreKept() {
        TopicId id = compactedTopic("orders", Map.of());
        List<Record> all = append(id, batch(new Rec(null, "n1", NOW - 30), new Rec("a", "1", NOW - 30)),
                batch(new Rec(null, null, NOW - 20), new Rec("a", "2", NOW - 20)), batch(new Rec("b", "1", NOW - 10)));
        new LogCompactor(store, EAGER).compact(TENANT, id, 0, NOW + 365L * 24 * 3600 * 1000);
        check.checkPartition(id, at(all, 0, 2, 3, 4));
        assertNull(check.records(id).get(1).key());
    }

    @Test
    void theDirtyRatioDecidesWhenAPassIsWorthIt() {
        TopicId id = compactedTopic("orders", Map.of());
        LogCompactor compactor = new LogCompactor(store, CompactionOptions.defaults().withMinDirtyRatio(0.5));
        for (int i = 0; i < 10; i++) {
            append(id, batch(new Rec("k" + i, "first", NOW - 100)));
        }
        assertEquals(Status.COMPACTED, compactor.compact(TENANT, id, 0, NOW).status(), "never compacted: all dirty");
        append(id, batch(new Rec("k0", "second", NOW - 50)), batch(new Rec("k1", "second", NOW - 50)));
        CompactionResult skipped = compactor.compact(TENANT, id, 0, NOW);
        assertEquals(Status.BELOW_MIN_DIRTY_RATIO, skipped.status());
        assertEquals(0, skipped.recordsRemoved());
        for (int i = 2; i < 10; i++) {
            append(id, batch(new Rec("k" + i, "second", NOW - 50)));
        }
        CompactionResult due = compactor.compact(TENANT, id, 0, NOW);
        assertEquals(Status.COMPACTED, due.status());
        assertEquals(9, due.recordsRemoved(), "every first value but k9's (superseded only in the newest batch)");
    }

    @Test
    void retentionStillWorksAfterThePolicyChangesToDelete() {
        TopicId id = compactedTopic("orders", Map.of());
        List<Record> all = append(id, batch(new Rec("a", "1", 100), new Rec("b", "1", 900)), batch(new Rec("a", "2", 300)),
                batch(new Rec("c", "1", 200), new Rec("b", "2", 400)), batch(new Rec("d", "1", 950)));
        new LogCompactor(store, EAGER).compact(TENANT, id, 0, NOW);
        check.checkPartition(id, at(all, 2, 3, 4, 5));

        topics.updateConfig(TENANT, "orders", Map.of("cleanup.policy", "delete", "retention.ms", "-1",
                "retention.bytes", Long.toString(check.storedBytes(id) - 1)), List.of());
        assertEquals(Status.NOT_COMPACTED_TOPIC, new LogCompactor(store, EAGER).compact(TENANT, id, 0, NOW).status());
        new RetentionEnforcer(store).enforce(TENANT, id, 0, NOW);
        assertEquals(3, log.offsets(TENANT, id, 0).logStartOffset(), "the first (rewritten) batch is deleted");
        check.checkPartition(id, at(all, 3, 4, 5));
    }

    @Test
    void unknownTopicsAndPartitionsFailLikeTheLog() {
        TopicId id = compactedTopic("orders", Map.of());
        LogCompactor compactor = new LogCompactor(store);
        assertEquals(LogErrorCode.UNKNOWN_PARTITION,
                assertThrows(LogException.class, () -> compactor.compact(TENANT, id, 1, NOW)).code());
        assertEquals(LogErrorCode.UNKNOWN_PARTITION,
                assertThrows(LogException.class, () -> compactor.compact(TENANT, id, -1, NOW)).code());
        assertEquals(LogErrorCode.UNKNOWN_TOPIC,
                assertThrows(LogException.class, () -> compactor.compact(TENANT, TopicId.random(), 0, NOW)).code());
        TopicId deleting = topics.create(TENANT, "plain", 1, Map.of()).id();
        log.append(TENANT, deleting, 0, batch(new Rec("a", "1", NOW)), 0);
        log.append(TENANT, deleting, 0, batch(new Rec("a", "2", NOW)), 0);
        assertEquals(Status.NOT_COMPACTED_TOPIC, compactor.compact(TENANT, deleting, 0, NOW).status());
        assertEquals(2, check.records(deleting).size());
    }

    @Test
    void invalidOptionsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> CompactionOptions.defaults().withMaxMapEntries(0));
        assertThrows(IllegalArgumentException.class, () -> CompactionOptions.defaults().withMinDirtyRatio(1.5));
        assertThrows(IllegalArgumentException.class, () -> CompactionOptions.defaults().withMinDirtyRatio(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> CompactionOptions.defaults().withTransactionBounds(0, 1));
    }
}
