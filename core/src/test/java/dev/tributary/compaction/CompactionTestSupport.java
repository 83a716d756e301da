package dev.tributary.compaction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.tributary.log.FetchResult;
import dev.tributary.log.LogKeySpace;
import dev.tributary.log.LogKeySpace.PartitionKeys;
import dev.tributary.log.PartitionLog;
import dev.tributary.log.PartitionOffsets;
import dev.tributary.log.TimestampOffset;
import dev.tributary.record.Record;
import dev.tributary.record.RecordBatch;
import dev.tributary.record.RecordBatchBuilder;
import dev.tributary.record.RecordHeader;
import dev.tributary.storage.KeyValue;
import dev.tributary.storage.KeyValueStore;
import dev.tributary.topic.TopicId;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Reading a partition back and checking the log's invariants after compaction, by brute force. */
final class CompactionTestSupport {
    static final String TENANT = "acme";

    private final KeyValueStore store;
    private final PartitionLog log;

    CompactionTestSupport(KeyValueStore store, PartitionLog log) {
        this.store = store;
        this.log = log;
    }

    /** A record to produce: key and value as UTF-8 (null for none / a tombstone). */
    record Rec(String key, String value, long timestamp, List<RecordHeader> headers) {
        Rec(String key, String value, long timestamp) {
            this(key, value, timestamp, List.of());
        }
    }

    static byte[] utf8(String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }

    static String string(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    static byte[] batch(Rec... records) {
        return batch(RecordBatch.builder(), records);
    }

    static byte[] batch(RecordBatchBuilder builder, Rec... records) {
        for (Rec r : records) {
            builder.append(r.timestamp(), utf8(r.key()), utf8(r.value()), r.headers());
        }
        return builder.build();
    }

    /** Every record of the partition, in offset order, each stored batch read once from the log start. */
    List<Record> records(TopicId id) {
        PartitionOffsets range = log.offsets(TENANT, id, 0);
        List<Record> out = new ArrayList<>();
        long from = range.logStartOffset();
        while (from < range.highWatermark()) {
            FetchResult r = log.fetch(TENANT, id, 0, from, 1 << 20);
            for (byte[] b : r.batches()) {
                RecordBatch batch = RecordBatch.parse(b);
                for (Record rec : batch) {
                    if (rec.offset() >= from) {
                        out.add(rec);
                    }
                }
                from = batch.lastOffset() + 1;
            }
        }
        return out;
    }

    /** The stored batches, parsed, in offset order. */
    List<RecordBatch> batches(TopicId id) {
        PartitionOffsets range = log.offsets(TENANT, id, 0);
        List<RecordBatch> out = new ArrayList<>();
        long from = range.logStartOffset();
        while (from < range.highWatermark()) {
            for (byte[] b : log.fetch(TENANT, id, 0, from, 1 << 20).batches()) {
                RecordBatch batch = RecordBatch.parse(b);
                out.add(batch);
                from = batch.lastOffset() + 1;
            }
        }
        return out;
    }

    static PartitionKeys keys(TopicId id) {
        return LogKeySpace.partition(TENANT, id.toBytes(), 0);
    }

    /** Sum of the stored batches' sizes, from their keys: what the retained-bytes counter must say. */
    long storedBytes(TopicId id) {
        PartitionKeys k = keys(id);
        long total = 0;
        for (KeyValue kv : store.read(tx -> tx.getRange(k.batchesBegin(), k.batchesEnd()).join())) {
            if (k.decodeChunk(kv.key())[1] == 0) {
                total += RecordBatch.declaredSize(kv.value(), 0);
            }
        }
        return total;
    }

    long retainedBytesCounter(TopicId id) {
        byte[] v = store.read(tx -> tx.get(keys(id).retainedBytes()).join());
        return v == null ? 0 : ByteBuffer.wrap(v).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    /** Every key and value of the partition's data (batches and index), for before/after comparisons. */
    List<String> dataKeysAndValues(TopicId id) {
        PartitionKeys k = keys(id);
        List<String> out = new ArrayList<>();
        for (byte[][] range : new byte[][][] {{k.batchesBegin(), k.batchesEnd()}, {k.indexBegin(), k.indexEnd()}}) {
            for (KeyValue kv : store.read(tx -> tx.getRange(range[0], range[1]).join())) {
                out.add(HexFormat.of().formatHex(kv.key()) + "=" + HexFormat.of().formatHex(kv.value()));
            }
        }
        return out;
    }

    List<long[]> indexEntries(TopicId id) {
        PartitionKeys k = keys(id);
        List<long[]> out = new ArrayList<>();
        for (KeyValue kv : store.read(tx -> tx.getRange(k.indexBegin(), k.indexEnd()).join())) {
            out.add(k.decodeIndex(kv.key()));
        }
        return out;
    }

    /**
     * Everything a reader relies on, checked against {@code expected} (the records that must be
     * stored, in offset order): the records themselves (offset, timestamp, key, value, headers),
     * a fetch from every offset in range, offset-for-timestamp for every timestamp around theirs,
     * the byte counter, and an index whose entries increase and point at stored batches.
     */
    void checkPartition(TopicId id, List<Record> expected) {
        List<Record> actual = records(id);
        assertEquals(expected, actual, "stored records");
        checkFetchFromEveryOffset(id, actual);
        checkOffsetsForTimestamps(id, actual);
        assertEquals(storedBytes(id), retainedBytesCounter(id), "the retained-bytes counter is exact");
        checkIndex(id);
    }

    void checkFetchFromEveryOffset(TopicId id, List<Record> survivors) {
        PartitionOffsets range = log.offsets(TENANT, id, 0);
        for (long o = range.logStartOffset(); o < range.highWatermark(); o++) {
            long offset = o;
            FetchResult fetched = log.fetch(TENANT, id, 0, offset, 1);
            assertFalse(fetched.batches().isEmpty(), "fetch at " + offset + " returned nothing");
            RecordBatch first = RecordBatch.parse(fetched.batches().get(0));
            Optional<Record> got = first.records().stream().filter(r -> r.offset() >= offset).findFirst();
            Optional<Record> want = survivors.stream().filter(r -> r.offset() >= offset).findFirst();
            if (got.isEmpty()) {
                fail("fetch at " + offset + " returned a batch that ends before it: " + first);
            }
            assertEquals(want, got, "first record at or after " + offset);
        }
        assertTrue(log.fetch(TENANT, id, 0, range.highWatermark(), 1 << 20).batches().isEmpty());
    }

    void checkOffsetsForTimestamps(TopicId id, List<Record> survivors) {
        Set<Long> probes = new HashSet<>();
        for (Record r : survivors) {
            probes.add(r.timestamp() - 1);
            probes.add(r.timestamp());
            probes.add(r.timestamp() + 1);
        }
        probes.add(Long.MIN_VALUE);
        for (long t : probes) {
            Optional<TimestampOffset> want = survivors.stream().filter(r -> r.timestamp() >= t).findFirst()
                    .map(r -> new TimestampOffset(r.offset(), r.timestamp()));
            assertEquals(want, log.offsetForTimestamp(TENANT, id, 0, t), "offset for timestamp " + t);
        }
    }

    void checkIndex(TopicId id) {
        PartitionKeys k = keys(id);
        long logStart = log.offsets(TENANT, id, 0).logStartOffset();
        Set<Long> bases = new HashSet<>();
        for (KeyValue kv : store.read(tx -> tx.getRange(k.batchesBegin(), k.batchesEnd()).join())) {
            bases.add(k.decodeChunk(kv.key())[0]);
        }
        long[] previous = null;
        for (long[] e : indexEntries(id)) {
            if (e[1] >= logStart) {
                assertTrue(bases.contains(e[1]), "index entry (" + e[0] + ", " + e[1] + ") points at a stored batch");
            }
            if (previous != null) {
                assertTrue(e[0] > previous[0] && e[1] > previous[1], "index entries increase in both fields");
            }
            previous = e;
        }
    }
}
