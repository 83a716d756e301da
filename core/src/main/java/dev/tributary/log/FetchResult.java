package dev.tributary.log;

import java.util.List;

/**
 * Whole batches read from a partition, in offset order. The first may start before the requested
 * offset (it contains it); clients skip the records below it, as with Kafka.
 *
 * @param batches encoded record batches (see dev.tributary.record.RecordBatch), base offsets set
 * @param logStartOffset the earliest readable offset at the time of the read
 * @param highWatermark the offset the next append will get; everything below it is readable
 */
public record FetchResult(List<byte[]> batches, long logStartOffset, long highWatermark) {

    public long sizeInBytes() {
        long n = 0;
        for (byte[] b : batches) {
            n += b.length;
        }
        return n;
    }
}
