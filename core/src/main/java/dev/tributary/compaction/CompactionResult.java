package dev.tributary.compaction;

/**
 * What one {@link LogCompactor#compact} call did to a partition.
 *
 * @param status why the call ended (see {@link Status})
 * @param passes passes that rewrote the log (more than one when the key map filled up)
 * @param recordsRemoved records removed because a later record has the same key
 * @param tombstonesRemoved tombstones removed because delete.retention.ms had passed
 * @param batchesRewritten batches stored again with fewer records
 * @param batchesRemoved batches removed because none of their records was left
 * @param bytesFreed how much the stored batches shrank (what the retained-bytes counter dropped by)
 * @param cleanOffset the records below this offset are compacted (the checkpoint afterwards)
 * @param transactions transactions run, read-only ones included
 */
public record CompactionResult(Status status, int passes, long recordsRemoved, long tombstonesRemoved,
        long batchesRewritten, long batchesRemoved, long bytesFreed, long cleanOffset, int transactions) {

    /** Why a call ended. */
    public enum Status {
        /** The topic's cleanup.policy is not compact: nothing was read beyond its metadata. */
        NOT_COMPACTED_TOPIC,
        /** No record is old enough to compact that was not compacted before, and no tombstone is due. */
        NOTHING_TO_COMPACT,
        /** There is new data, but less than the minimum dirty ratio of the partition's bytes. */
        BELOW_MIN_DIRTY_RATIO,
        /** The log was compacted up to {@code cleanOffset}. */
        COMPACTED,
        /** The topic's cleanup.policy changed while compacting; the pass stopped (what it did is valid). */
        POLICY_CHANGED
    }
}
