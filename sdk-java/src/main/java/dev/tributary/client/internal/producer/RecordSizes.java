package dev.tributary.client.internal.producer;

import dev.tributary.record.RecordBatch;
import dev.tributary.record.RecordHeader;
import dev.tributary.record.Varints;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Exact encoded sizes of records in the batch format (docs/record-format.md), so the producer can
 * decide whether a record fits a batch before appending it: a {@code RecordBatchBuilder} cannot
 * take a record back. Uncompressed sizes; compression is applied when the batch is built.
 */
final class RecordSizes {
    /** Worst case of the two varint deltas in a record beyond their 1-byte minimum: 5-byte offset delta, 10-byte timestamp delta. */
    static final int MAX_DELTA_EXTRA_BYTES = (5 - 1) + (10 - 1);

    private RecordSizes() {}

    /** Bytes of one record, its leading length varint included. */
    static int recordSize(long timestampDelta, int offsetDelta, byte[] key, byte[] value, List<RecordHeader> headers) {
        long body = 1L // attributes
                + Varints.sizeOfLong(timestampDelta)
                + Varints.sizeOfInt(offsetDelta)
                + sizeOfField(key)
                + sizeOfField(value)
                + Varints.sizeOfInt(headers.size());
        for (RecordHeader h : headers) {
            body += sizeOfField(h.key().getBytes(StandardCharsets.UTF_8)) + sizeOfField(h.value());
        }
        if (body > Integer.MAX_VALUE - 5) {
            throw new IllegalArgumentException("a record of " + body + " bytes cannot be encoded");
        }
        return Varints.sizeOfInt((int) body) + (int) body;
    }

    /** Bytes of a batch holding only this record: the smallest batch that can carry it. */
    static int batchOfOneSize(byte[] key, byte[] value, List<RecordHeader> headers) {
        return RecordBatch.HEADER_BYTES + recordSize(0, 0, key, value, headers);
    }

    /** A length-prefixed byte field; null is the 1-byte length -1. */
    static int sizeOfField(byte[] bytes) {
        return bytes == null ? 1 : Varints.sizeOfInt(bytes.length) + bytes.length;
    }
}
