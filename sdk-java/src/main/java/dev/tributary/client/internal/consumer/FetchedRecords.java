package dev.tributary.client.internal.consumer;

import dev.tributary.record.Record;
import dev.tributary.record.RecordBatch;
import java.util.Iterator;
import java.util.List;

/**
 * The batches one fetch returned for one partition, read record by record from the consumer's
 * position on. The first batch may start before the position (a fetch returns the batch that
 * contains the requested offset) and batches may have offset gaps (compaction), so records are
 * selected by offset, never by counting. Batches wholly below the position are skipped without
 * decoding their records. Used by the application thread only.
 */
final class FetchedRecords {
    private final List<RecordBatch> batches;
    private int nextBatch;
    private Iterator<Record> records;
    private Record peeked;

    FetchedRecords(List<RecordBatch> batches) {
        this.batches = batches;
    }

    /** The next record at or after {@code position}, not yet consumed; null when none is left. */
    Record peek(long position) {
        while (true) {
            if (peeked != null) {
                if (peeked.offset() >= position) {
                    return peeked;
                }
                peeked = null;
            }
            if (records != null && records.hasNext()) {
                peeked = records.next();
                continue;
            }
            if (nextBatch >= batches.size()) {
                return null;
            }
            RecordBatch batch = batches.get(nextBatch++);
            records = batch.lastOffset() < position ? null : batch.iterator();
        }
    }

    /** The record {@link #peek} returned was handed to the application. */
    void consumed() {
        peeked = null;
    }

    /**
     * Where reading continues once every record is consumed: after the last batch's last offset,
     * which may lie beyond its last record when compaction removed the tail of the batch.
     */
    long endOffset() {
        return batches.get(batches.size() - 1).lastOffset() + 1;
    }
}
