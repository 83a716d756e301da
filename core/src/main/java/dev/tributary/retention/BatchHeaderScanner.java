package dev.tributary.retention;

import dev.tributary.log.LogKeySpace.PartitionKeys;
import dev.tributary.record.RecordBatch;
import dev.tributary.storage.KeyValue;
import dev.tributary.storage.Keys;
import dev.tributary.storage.ReadTransaction;
import java.util.ArrayDeque;
import java.util.List;

/**
 * Walks the headers of a partition's stored batches in offset order within one transaction,
 * reading only what retention needs (size, last offset, max timestamp) from each batch's first
 * chunk, under a budget shared by every scan of the transaction. The body of a batch stored in
 * several chunks is skipped by jumping to the next batch's key instead of reading it.
 */
final class BatchHeaderScanner {
    /** One batch as retention sees it. */
    record Header(long baseOffset, long lastOffset, long sizeBytes, long maxTimestamp) {}

    /** Per-transaction allowance: keeps every retention transaction small whatever the partition's size. */
    static final class Budget {
        private final int maxBatches;
        private final long maxBytes;
        private int batches;
        private long bytes;

        Budget(int maxBatches, long maxBytes) {
            this.maxBatches = maxBatches;
            this.maxBytes = maxBytes;
        }

        boolean exhausted() {
            return batches >= maxBatches || bytes >= maxBytes;
        }
    }

    // Offsets of the fields retention reads in the batch header (record-format.md; big-endian, as
    // RecordBatch encodes them). Decoding the header alone avoids reassembling chunked batches.
    private static final int LAST_OFFSET_DELTA_OFFSET = 19;
    private static final int MAX_TIMESTAMP_OFFSET = 31;
    /** Keys per range read: small, because a page may hold trailing chunks that are skipped. */
    private static final int PAGE = 16;

    private final ReadTransaction tx;
    private final PartitionKeys keys;
    private final byte[] end;
    private final Budget budget;
    private final ArrayDeque<Header> pending = new ArrayDeque<>();
    private byte[] begin;
    private boolean rangeDone;

    /** Scans batches with base offsets in [fromOffset, toOffset). */
    BatchHeaderScanner(ReadTransaction tx, PartitionKeys keys, long fromOffset, long toOffset, Budget budget) {
        this.tx = tx;
        this.keys = keys;
        this.begin = keys.batchesFrom(fromOffset);
        this.end = keys.batchesFrom(Math.max(fromOffset, toOffset));
        this.budget = budget;
        this.rangeDone = fromOffset >= toOffset;
    }

    /** The next header, or null when the range is done ({@link #finished()}) or the budget is spent. */
    Header next() {
        // Checked per header, not per page, so a transaction never exceeds its batch allowance.
        if (budget.exhausted()) {
            return null;
        }
        while (pending.isEmpty()) {
            if (rangeDone) {
                return null;
            }
            readPage();
        }
        budget.batches++;
        return pending.poll();
    }

    /** True when every batch in the range has been returned (as opposed to stopping for the budget). */
    boolean finished() {
        return rangeDone && pending.isEmpty();
    }

    private void readPage() {
        List<KeyValue> kvs = tx.getRange(begin, end, PAGE, false).join();
        if (kvs.size() < PAGE) {
            rangeDone = true;
        }
        byte[] resumeAt = kvs.isEmpty() ? begin : Keys.keyAfter(kvs.get(kvs.size() - 1).key());
        for (KeyValue kv : kvs) {
            long[] id = keys.decodeChunk(kv.key());
            byte[] value = kv.value();
            budget.bytes += value.length;
            if (id[1] != 0) {
                continue; // a trailing chunk of a batch whose header was already taken
            }
            Header h = decode(id[0], value);
            pending.add(h);
            if (h.sizeBytes() > value.length) {
                // Multi-chunk batch: continue at the next batch's key rather than paging through up
                // to 8 MiB of chunks that retention never needs.
                resumeAt = keys.batchesFrom(h.lastOffset() + 1);
                rangeDone = Keys.compare(resumeAt, end) >= 0;
                break;
            }
        }
        begin = resumeAt;
    }

    private static Header decode(long base, byte[] chunk0) {
        if (chunk0.length < RecordBatch.HEADER_BYTES) {
            throw new IllegalStateException("stored batch at " + base + " has a first chunk of " + chunk0.length
                    + " bytes, shorter than the batch header");
        }
        long size = RecordBatch.declaredSize(chunk0, 0);
        int lastDelta = getInt(chunk0, LAST_OFFSET_DELTA_OFFSET);
        long maxTimestamp = ((long) getInt(chunk0, MAX_TIMESTAMP_OFFSET) << 32)
                | (getInt(chunk0, MAX_TIMESTAMP_OFFSET + 4) & 0xffffffffL);
        return new Header(base, base + lastDelta, size, maxTimestamp);
    }

    private static int getInt(byte[] b, int i) {
        return ((b[i] & 0xff) << 24) | ((b[i + 1] & 0xff) << 16) | ((b[i + 2] & 0xff) << 8) | (b[i + 3] & 0xff);
    }
}
