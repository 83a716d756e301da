package dev.tributary.compaction;

/**
 * Bounds of a {@link LogCompactor}.
 *
 * @param maxMapEntries keys one pass may map; a partition with more distinct keys in its new data is
 *     compacted in several passes. Memory: 24 bytes times the power of two at or above 4/3 of this
 *     (12 MiB for the default), reached only when that many keys are seen
 * @param minDirtyRatio compact only when the data added since the last pass is at least this share
 *     (0 to 1) of the partition's stored bytes, so that the compacted part is not read again for a
 *     little new data; 0 compacts whenever there is anything new. Due tombstones are removed
 *     regardless
 * @param maxBytesPerTransaction stored batch bytes read (and at most as many rewritten) per
 *     transaction; one batch is always taken whatever its size (at most max.message.bytes, 8 MiB),
 *     so a transaction stays under the store's 10 MB limit
 * @param maxBatchesPerTransaction batches examined per transaction
 */
public record CompactionOptions(int maxMapEntries, double minDirtyRatio, long maxBytesPerTransaction,
        int maxBatchesPerTransaction) {
    public static final int DEFAULT_MAX_MAP_ENTRIES = 250_000;
    /** Upper bound of {@code maxMapEntries}: 2^24 keys take 2^25 slots, 768 MiB. */
    public static final int MAX_MAP_ENTRIES = KeyOffsetMap.MAX_ENTRIES_LIMIT;
    public static final double DEFAULT_MIN_DIRTY_RATIO = 0.5;
    public static final long DEFAULT_MAX_BYTES_PER_TRANSACTION = 2L * 1024 * 1024;
    public static final int DEFAULT_MAX_BATCHES_PER_TRANSACTION = 1_000;

    public CompactionOptions {
        if (maxMapEntries < 1 || maxMapEntries > MAX_MAP_ENTRIES) {
            throw new IllegalArgumentException("max map entries must be 1 to " + MAX_MAP_ENTRIES + ", not " + maxMapEntries);
        }
        if (!(minDirtyRatio >= 0 && minDirtyRatio <= 1)) {
            throw new IllegalArgumentException("the minimum dirty ratio must be between 0 and 1, not " + minDirtyRatio);
        }
        if (maxBytesPerTransaction < 1 || maxBatchesPerTransaction < 1) {
            throw new IllegalArgumentException("per-transaction bounds must be positive");
        }
    }

    public static CompactionOptions defaults() {
        return new CompactionOptions(DEFAULT_MAX_MAP_ENTRIES, DEFAULT_MIN_DIRTY_RATIO, DEFAULT_MAX_BYTES_PER_TRANSACTION,
                DEFAULT_MAX_BATCHES_PER_TRANSACTION);
    }

    public CompactionOptions withMaxMapEntries(int entries) {
        return new CompactionOptions(entries, minDirtyRatio, maxBytesPerTransaction, maxBatchesPerTransaction);
    }

    public CompactionOptions withMinDirtyRatio(double ratio) {
        return new CompactionOptions(maxMapEntries, ratio, maxBytesPerTransaction, maxBatchesPerTransaction);
    }

    public CompactionOptions withTransactionBounds(long maxBytes, int maxBatches) {
        return new CompactionOptions(maxMapEntries, minDirtyRatio, maxBytes, maxBatches);
    }
}
