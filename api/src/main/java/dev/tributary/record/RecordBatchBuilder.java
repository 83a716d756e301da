package dev.tributary.record;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Builds one record batch: append records, then {@link #build()} the bytes. The base timestamp is
 * the first record's; offset deltas are 0, 1, 2, ... unless given ({@link #appendWithOffsetDelta}).
 * The base offset is left 0 for the server to assign. With {@link #compression(CompressionCodec)}
 * the records section is compressed by {@code build()}. Not thread-safe; a builder builds one
 * batch (further appends after build() fail).
 */
public final class RecordBatchBuilder {
    private byte[] records = new byte[256];
    private int used;
    private int count;
    /** Offset delta of the last appended record; -1 before the first. */
    private int lastOffsetDelta = -1;
    private long baseTimestamp;
    private long maxTimestamp = Long.MIN_VALUE;
    private long producerId = RecordBatch.NO_PRODUCER_ID;
    private short producerEpoch = RecordBatch.NO_PRODUCER_EPOCH;
    private int baseSequence = RecordBatch.NO_SEQUENCE;
    private CompressionCodec compression = CompressionCodec.NONE;
    private boolean built;

    RecordBatchBuilder() {}

    /** Marks the batch as sent by an idempotent producer (all non-negative). */
    public RecordBatchBuilder producer(long producerId, short producerEpoch, int baseSequence) {
        if (producerId < 0 || producerEpoch < 0 || baseSequence < 0) {
            throw new IllegalArgumentException("producer id, epoch and base sequence must be non-negative");
        }
        this.producerId = producerId;
        this.producerEpoch = producerEpoch;
        this.baseSequence = baseSequence;
        return this;
    }

    /**
     * Compresses the records section with {@code codec} at {@link #build()} (default
     * {@link CompressionCodec#NONE}). A compressed batch holds at most
     * {@link RecordBatch#MAX_UNCOMPRESSED_RECORDS_BYTES} of uncompressed records.
     */
    public RecordBatchBuilder compression(CompressionCodec codec) {
        if (!codec.supported()) {
            throw new IllegalArgumentException("compression " + codec + " is not supported yet");
        }
        if (built) {
            throw new IllegalStateException("the batch was already built");
        }
        this.compression = codec;
        return this;
    }

    public RecordBatchBuilder append(long timestamp, byte[] key, byte[] value) {
        return append(timestamp, key, value, List.of());
    }

    /** Appends a record; {@code key} and {@code value} may be null (a null value is a tombstone). */
    public RecordBatchBuilder append(long timestamp, byte[] key, byte[] value, List<RecordHeader> headers) {
        if (lastOffsetDelta == Integer.MAX_VALUE) {
            throw new IllegalArgumentException("the batch already has the largest offset delta");
        }
        return appendWithOffsetDelta(lastOffsetDelta + 1, timestamp, key, value, headers);
    }

    /**
     * Appends a record with an explicit offset delta, for rewriting a stored batch whose records
     * keep their offsets (compaction removes records and leaves gaps). The first record's delta
     * must be 0 and deltas must increase; the batch's last offset delta is the last one appended.
     */
    public RecordBatchBuilder appendWithOffsetDelta(int offsetDelta, long timestamp, byte[] key, byte[] value,
            List<RecordHeader> headers) {
        if (count == 0 ? offsetDelta != 0 : offsetDelta <= lastOffsetDelta) {
            throw new IllegalArgumentException("offset delta " + offsetDelta + " after " + lastOffsetDelta
                    + ": the first must be 0 and they must increase");
        }
        if (built) {
            throw new IllegalStateException("the batch was already built");
        }
        if (count == 0) {
            baseTimestamp = timestamp;
        }
        long timestampDelta = timestamp - baseTimestamp;
        if (((timestamp ^ baseTimestamp) & (timestamp ^ timestampDelta)) < 0) {
            throw new IllegalArgumentException("timestamp " + timestamp + " is too far from the base timestamp " + baseTimestamp);
        }
        byte[][] headerKeys = new byte[headers.size()][];
        int bodySize = 1 + Varints.sizeOfLong(timestampDelta) + Varints.sizeOfInt(offsetDelta)
                + sizeOfBytes(key) + sizeOfBytes(value) + Varints.sizeOfInt(headers.size());
        for (int i = 0; i < headers.size(); i++) {
            RecordHeader h = headers.get(i);
            headerKeys[i] = h.key().getBytes(StandardCharsets.UTF_8);
            bodySize += sizeOfBytes(headerKeys[i]) + sizeOfBytes(h.value());
        }
        long total = (long) used + Varints.sizeOfInt(bodySize) + bodySize;
        if (total + RecordBatch.HEADER_BYTES > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("the batch would exceed 2 GiB");
        }
        if (compression != CompressionCodec.NONE && total > RecordBatch.MAX_UNCOMPRESSED_RECORDS_BYTES) {
            // Refused before anything changes, so the caller can build this batch and start another.
            throw new IllegalArgumentException("the records of a compressed batch would exceed "
                    + RecordBatch.MAX_UNCOMPRESSED_RECORDS_BYTES + " bytes");
        }
        ensureCapacity((int) total);
        int p = Varints.writeInt(records, used, bodySize);
        records[p++] = 0; // record attributes: reserved
        p = Varints.writeLong(records, p, timestampDelta);
        p = Varints.writeInt(records, p, offsetDelta);
        p = writeBytes(p, key);
        p = writeBytes(p, value);
        p = Varints.writeInt(records, p, headers.size());
        for (int i = 0; i < headers.size(); i++) {
            p = writeBytes(p, headerKeys[i]);
            p = writeBytes(p, headers.get(i).value());
        }
        used = p;
        count++;
        lastOffsetDelta = offsetDelta;
        maxTimestamp = Math.max(maxTimestamp, timestamp);
        return this;
    }

    public int recordCount() {
        return count;
    }

    /**
     * The size of the batch uncompressed: exactly what {@link #build()} returns without compression;
     * with a codec, build() returns the compressed size (smaller for compressible records, a few
     * bytes more for incompressible ones).
     */
    public int sizeInBytes() {
        return RecordBatch.HEADER_BYTES + used;
    }

    /**
     * The encoded batch, base offset 0, CRC set (over the stored, possibly compressed, bytes). At
     * least one record is required.
     */
    public byte[] build() {
        if (count == 0) {
            throw new IllegalStateException("a batch needs at least one record");
        }
        byte[] out;
        if (compression == CompressionCodec.NONE) {
            out = new byte[RecordBatch.HEADER_BYTES + used];
            System.arraycopy(records, 0, out, RecordBatch.HEADER_BYTES, used);
        } else {
            if (used > RecordBatch.MAX_UNCOMPRESSED_RECORDS_BYTES) {
                // Appended before compression() was chosen: no reader would accept the batch.
                throw new IllegalStateException(used + " bytes of records exceed the "
                        + RecordBatch.MAX_UNCOMPRESSED_RECORDS_BYTES + " a compressed batch may hold");
            }
            out = RecordsCompression.compress(compression, records, used, RecordBatch.HEADER_BYTES);
        }
        built = true;
        RecordBatch.putLong(out, RecordBatch.BASE_OFFSET_OFFSET, 0L);
        RecordBatch.putInt(out, RecordBatch.LENGTH_OFFSET, out.length - RecordBatch.LOG_OVERHEAD);
        out[RecordBatch.MAGIC_OFFSET] = RecordBatch.FORMAT_VERSION;
        RecordBatch.putShort(out, RecordBatch.ATTRIBUTES_OFFSET, (short) compression.id());
        RecordBatch.putInt(out, RecordBatch.LAST_OFFSET_DELTA_OFFSET, lastOffsetDelta);
        RecordBatch.putLong(out, RecordBatch.BASE_TIMESTAMP_OFFSET, baseTimestamp);
        RecordBatch.putLong(out, RecordBatch.MAX_TIMESTAMP_OFFSET, maxTimestamp);
        RecordBatch.putLong(out, RecordBatch.PRODUCER_ID_OFFSET, producerId);
        RecordBatch.putShort(out, RecordBatch.PRODUCER_EPOCH_OFFSET, producerEpoch);
        RecordBatch.putInt(out, RecordBatch.BASE_SEQUENCE_OFFSET, baseSequence);
        RecordBatch.putInt(out, RecordBatch.RECORD_COUNT_OFFSET, count);
        RecordBatch.putInt(out, RecordBatch.CRC_OFFSET, RecordBatch.crc(out, RecordBatch.ATTRIBUTES_OFFSET, out.length));
        return out;
    }

    private static int sizeOfBytes(byte[] b) {
        return b == null ? Varints.sizeOfInt(-1) : Varints.sizeOfInt(b.length) + b.length;
    }

    private int writeBytes(int p, byte[] b) {
        if (b == null) {
            return Varints.writeInt(records, p, -1);
        }
        p = Varints.writeInt(records, p, b.length);
        System.arraycopy(b, 0, records, p, b.length);
        return p + b.length;
    }

    private void ensureCapacity(int needed) {
        if (needed > records.length) {
            long grown = Math.max(needed, (long) records.length * 2);
            records = Arrays.copyOf(records, (int) Math.min(grown, Integer.MAX_VALUE - 16));
        }
    }
}
