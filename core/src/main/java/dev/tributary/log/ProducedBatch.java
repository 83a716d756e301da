package dev.tributary.log;

import dev.tributary.record.RecordBatch;

/**
 * A produced batch that passed validation ({@link PartitionLog#parseProduced}: format, CRC, every
 * record, dense offset deltas), reduced to what appending it needs: its bytes as produced (still
 * compressed, for a compressed batch) and the header fields the append reads. The records that
 * validation decompressed are not kept: a compressed batch costs its stored size in memory from
 * here on, not its uncompressed size (up to {@link RecordBatch#MAX_UNCOMPRESSED_RECORDS_BYTES}).
 *
 * <p>Only {@link #validate} makes one, so holding one means the batch was valid when validated.
 * The instance owns the array it was validated from: {@link PartitionLog#appendValidated} writes
 * the assigned base offset into it (the CRC does not cover that field). Whoever hands an array to
 * {@link #validate} must not use or change it afterwards.
 */
public final class ProducedBatch {
    private final byte[] bytes;
    private final int recordCount;
    private final int lastOffsetDelta;
    private final long maxTimestamp;
    private final int uncompressedRecordsBytes;

    private ProducedBatch(byte[] bytes, int recordCount, int lastOffsetDelta, long maxTimestamp, int uncompressedRecordsBytes) {
        this.bytes = bytes;
        this.recordCount = recordCount;
        this.lastOffsetDelta = lastOffsetDelta;
        this.maxTimestamp = maxTimestamp;
        this.uncompressedRecordsBytes = uncompressedRecordsBytes;
    }

    /**
     * Validates a produced batch (INVALID_BATCH with the format's reason otherwise) and takes the
     * array over: do not use or modify {@code bytes} afterwards. A compressed batch is decompressed
     * once, to check its records, and the decompressed records are dropped before this returns.
     */
    public static ProducedBatch validate(byte[] bytes) {
        return validate(bytes, null);
    }

    /**
     * As {@link #validate(byte[])}, and hands the parsed batch to {@code inspect} (if not null)
     * while its records are still decoded, so that a caller can check them (schema validation)
     * without decompressing the batch a second time.
     */
    public static ProducedBatch validate(byte[] bytes, java.util.function.Consumer<RecordBatch> inspect) {
        RecordBatch parsed = PartitionLog.parseProduced(bytes);
        if (inspect != null) {
            inspect.accept(parsed);
        }
        return new ProducedBatch(bytes, parsed.recordCount(), parsed.lastOffsetDelta(), parsed.maxTimestamp(),
                parsed.uncompressedRecordsSizeInBytes());
    }

    /** The batch's bytes as produced; the log sets the base offset in place. */
    byte[] bytes() {
        return bytes;
    }

    /** Stored size in bytes (compressed, for a compressed batch), header included. */
    public int sizeInBytes() {
        return bytes.length;
    }

    public int recordCount() {
        return recordCount;
    }

    /** recordCount() - 1: produced batches have dense offset deltas. */
    public int lastOffsetDelta() {
        return lastOffsetDelta;
    }

    public long maxTimestamp() {
        return maxTimestamp;
    }

    /**
     * Bytes of the records section once decompressed ({@code sizeInBytes() - 57} for an
     * uncompressed batch): what decoding the batch costs, and what limits on decompression count.
     */
    public int uncompressedRecordsSizeInBytes() {
        return uncompressedRecordsBytes;
    }

    @Override
    public String toString() {
        return "ProducedBatch[records=" + recordCount + ", bytes=" + bytes.length + ", uncompressedRecordsBytes="
                + uncompressedRecordsBytes + ", maxTimestamp=" + maxTimestamp + "]";
    }
}
