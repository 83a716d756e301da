package dev.tributary.log;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
}
