package dev.tributary.record;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Builds one record batch: append records, then {@link #build()} the bytes. The base timestamp is
 * the first record's; offset deltas are 0, 1, 2, ... The base offset is left 0 for the server to
 * assign. Not thread-safe; a builder builds one batch (further appends after build() fail).
 */
public final class RecordBatchBuilder {
    private byte[] records = new byte[256];
    private int used;
    private int count;
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

    public RecordBatchBuilder compression(CompressionCodec codec) {
        if (!codec.supported()) {
            throw new IllegalArgumentException("compression " + codec + " is not supported yet");
        }
        this.compression = codec;
        return this;
    }

    public RecordBatchBuilder append(long timestamp, byte[] key, byte[] value) {
        return append(timestamp, key, value, List.of());
    }

    /** Appends a record; {@code key} and {@code value} may be null (a null value is a tombstone). */
    public RecordBatchBuilder append(long timestamp, byte[] key, byte[] value, List<RecordHeader> headers) {
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
        int offsetDelta = count;
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
        maxTimestamp = Math.max(maxTimestamp, timestamp);
        return this;
    }

    public int recordCount() {
        return count;
    }

    /** The size {@link #build()} would return now. */
    public int sizeInBytes() {
        return RecordBatch.HEADER_BYTES + used;
    }

    /** The encoded batch, base offset 0, CRC set. At least one record is required. */
    public byte[] build() {
        if (count == 0) {
            throw new IllegalStateException("a batch needs at least one record");
        }
        built = true;
        byte[] out = new byte[RecordBatch.HEADER_BYTES + used];
        RecordBatch.putLong(out, RecordBatch.BASE_OFFSET_OFFSET, 0L);
        RecordBatch.putInt(out, RecordBatch.LENGTH_OFFSET, out.length - RecordBatch.LOG_OVERHEAD);
        out[RecordBatch.MAGIC_OFFSET] = RecordBatch.FORMAT_VERSION;
        RecordBatch.putShort(out, RecordBatch.ATTRIBUTES_OFFSET, (short) compression.id());
        RecordBatch.putInt(out, RecordBatch.LAST_OFFSET_DELTA_OFFSET, count - 1);
        RecordBatch.putLong(out, RecordBatch.BASE_TIMESTAMP_OFFSET, baseTimestamp);
        RecordBatch.putLong(out, RecordBatch.MAX_TIMESTAMP_OFFSET, maxTimestamp);
        RecordBatch.putLong(out, RecordBatch.PRODUCER_ID_OFFSET, producerId);
        RecordBatch.putShort(out, RecordBatch.PRODUCER_EPOCH_OFFSET, producerEpoch);
        RecordBatch.putInt(out, RecordBatch.BASE_SEQUENCE_OFFSET, baseSequence);
        RecordBatch.putInt(out, RecordBatch.RECORD_COUNT_OFFSET, count);
        System.arraycopy(records, 0, out, RecordBatch.HEADER_BYTES, used);
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
