package dev.tributary.log;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.record.CompressionCodec;
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
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Compressed batches through the log: stored as produced, validated inside, readable by offset and time. */
class PartitionLogCompressionTest {
    private static final String TENANT = "acme";

    @TempDir
    Path dir;
    EmbeddedStore store;
    PartitionLog log;
    TopicId topic;

    @BeforeEach
    void open() {
        store = EmbeddedStore.open(dir);
        log = new PartitionLog(store);
        topic = new TopicStore(store).create(TENANT, "orders", 1, Map.of()).id();
    }

    @AfterEach
    void close() {
        store.close();
    }

    /** Where the CRC32C is stored and where the bytes it covers start (docs/record-format.md). */
    private static final int CRC_AT = 13;
    private static final int CRC_FROM = 17;

    private static int getInt(byte[] b, int i) {
        return ((b[i] & 0xff) << 24) | ((b[i + 1] & 0xff) << 16) | ((b[i + 2] & 0xff) << 8) | (b[i + 3] & 0xff);
    }

    private static void putInt(byte[] b, int i, int v) {
        b[i] = (byte) (v >>> 24);
        b[i + 1] = (byte) (v >>> 16);
        b[i + 2] = (byte) (v >>> 8);
        b[i + 3] = (byte) v;
    }

    private static byte[] batch(CompressionCodec codec, String prefix, int n, long timestamp) {
        RecordBatchBuilder builder = RecordBatch.builder().compression(codec);
        for (int i = 0; i < n; i++) {
            builder.append(timestamp + i, ("key-" + i).getBytes(StandardCharsets.UTF_8),
                    ("{\"order\":\"" + prefix + "-" + i + "\",\"status\":\"CONFIRMED\"}").getBytes(StandardCharsets.UTF_8));
        }
        return builder.build();
    }

    @Test
    void compressedBatchesAreStoredAsProducedAndReadBack() {
        byte[] lz4 = batch(CompressionCodec.LZ4, "a", 50, 1_000);
        byte[] zstd = batch(CompressionCodec.ZSTD, "b", 30, 2_000);
        byte[] none = batch(CompressionCodec.NONE, "c", 20, 3_000);
        List<AppendResult> results = log.appendAll(TENANT, topic, 0, List.of(lz4, zstd, none), 0);
        assertEquals(List.of(0L, 50L, 80L), results.stream().map(AppendResult::baseOffset).toList());
        assertEquals(List.of(49L, 79L, 99L), results.stream().map(AppendResult::lastOffset).toList());

        List<byte[]> stored = log.fetch(TENANT, topic, 0, 0, 1 << 20).batches();
        assertEquals(3, stored.size());
        List<CompressionCodec> codecs = new ArrayList<>();
        List<Record> records = new ArrayList<>();
        for (byte[] bytes : stored) {
            RecordBatch batch = RecordBatch.parse(bytes);
            codecs.add(batch.compression());
            records.addAll(batch.records());
        }
        assertEquals(List.of(CompressionCodec.LZ4, CompressionCodec.ZSTD, CompressionCodec.NONE), codecs);
        // The stored batch is the produced one with its base offset set: still compressed, same CRC.
        byte[] expected = zstd.clone();
        RecordBatch.setBaseOffset(expected, 50);
        assertArrayEquals(expected, stored.get(1));
        assertEquals(100, records.size());
        for (int i = 0; i < 100; i++) {
            assertEquals(i, records.get(i).offset());
        }
        assertEquals("{\"order\":\"b-3\",\"status\":\"CONFIRMED\"}",
                new String(records.get(53).value(), StandardCharsets.UTF_8));
        // Finding an offset by time iterates the records inside the compressed batch.
        assertEquals(Optional.of(new TimestampOffset(60, 2_010)), log.offsetForTimestamp(TENANT, topic, 0, 2_010));
    }

    @Test
    void corruptCompressedBatchesAreRejectedWithTheirReason() {
        byte[] lying = batch(CompressionCodec.ZSTD, "a", 10, 1);
        // Declare one byte more than the payload decodes to, and recompute the CRC as a buggy
        // producer would: only the check after decompression can catch it.
        int declaredAt = RecordBatch.HEADER_BYTES;
        putInt(lying, declaredAt, getInt(lying, declaredAt) + 1);
        CRC32C crc = new CRC32C();
        crc.update(lying, CRC_FROM, lying.length - CRC_FROM);
        putInt(lying, CRC_AT, (int) crc.getValue());
        LogException e = assertThrows(LogException.class, () -> log.append(TENANT, topic, 0, lying, 0));
        assertEquals(LogErrorCode.INVALID_BATCH, e.code());
        assertEquals(InvalidRecordBatchException.Reason.UNCOMPRESSED_SIZE_MISMATCH, e.batchReason());

        byte[] flipped = batch(CompressionCodec.LZ4, "a", 10, 1);
        flipped[flipped.length - 3] ^= 0x10;
        LogException crc32c = assertThrows(LogException.class, () -> log.append(TENANT, topic, 0, flipped, 0));
        assertEquals(InvalidRecordBatchException.Reason.CRC_MISMATCH, crc32c.batchReason());
        assertEquals(new PartitionOffsets(0, 0), log.offsets(TENANT, topic, 0));
    }
    /** 24 MiB of records (runs of one byte) in a batch of a few KB. */
    private static byte[] compressible(CompressionCodec codec, String tag) {
        RecordBatchBuilder builder = RecordBatch.builder().compression(codec);
        byte[] value = new byte[1 << 20];
        java.util.Arrays.fill(value, (byte) 'z');
        builder.append(1_000, null, tag.getBytes(StandardCharsets.UTF_8));
        for (int i = 1; i < 24; i++) {
            builder.append(1_000, null, value);
        }
        return builder.build();
    }

    @Test
    void oneAppendDecompressesAtMost64MiBOfRecords() {
        byte[] a = compressible(CompressionCodec.ZSTD, "a");
        byte[] b = compressible(CompressionCodec.LZ4, "b");
        byte[] c = compressible(CompressionCodec.ZSTD, "c");
        ProducedBatch validated = ProducedBatch.validate(a.clone());
        assertEquals(24, validated.recordCount());
        assertEquals(a.length, validated.sizeInBytes());
        int perBatch = validated.uncompressedRecordsSizeInBytes();
        assertTrue(perBatch > 24 * 1_000_000 && 3L * perBatch > PartitionLog.MAX_APPEND_UNCOMPRESSED_BYTES,
                "three batches of " + perBatch + " bytes of records exceed the bound");

        LogException e = assertThrows(LogException.class, () -> log.appendAll(TENANT, topic, 0, List.of(a, b, c), 0));
        assertEquals(LogErrorCode.INVALID_REQUEST, e.code());
        assertEquals("INVALID_REQUEST: the batches of one append may hold at most 67108864 bytes of records once "
                + "decompressed; the first 3 of these 3 already hold " + 3L * perBatch, e.getMessage());
        assertEquals(new PartitionOffsets(0, 0), log.offsets(TENANT, topic, 0));

        // Two fit; the records read back whole. The caller's arrays are left as they were.
        byte[] before = a.clone();
        List<AppendResult> results = log.appendAll(TENANT, topic, 0, List.of(a, b), 0);
        assertEquals(List.of(0L, 24L), results.stream().map(AppendResult::baseOffset).toList());
        assertArrayEquals(before, a);
        List<Record> records = new ArrayList<>();
        for (byte[] stored : log.fetch(TENANT, topic, 0, 0, 1 << 20).batches()) {
            records.addAll(RecordBatch.parse(stored).records());
        }
        assertEquals(48, records.size());
        assertEquals("b", new String(records.get(24).value(), StandardCharsets.UTF_8));
        assertEquals(1 << 20, records.get(47).value().length);

        // Validated batches append without being decompressed again, whatever their total.
        List<ProducedBatch> many = List.of(ProducedBatch.validate(c.clone()), ProducedBatch.validate(a.clone()),
                ProducedBatch.validate(b.clone()));
        assertEquals(List.of(48L, 72L, 96L), log.appendValidated(TENANT, topic, 0, many, 0).stream()
                .map(AppendResult::baseOffset).toList());
    }
}
