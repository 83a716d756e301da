package dev.tributary.retention;

/**
 * What one {@link RetentionEnforcer#enforce} call did to a partition.
 *
 * @param batchesDeleted whole batches removed from the log start
 * @param logStartOffset the partition's log start offset afterwards
 * @param bytesFreed sum of the removed batches' sizes (what the retained-bytes counter dropped by)
 * @param transactions transactions committed (each bounded, see {@link RetentionEnforcer})
 */
public record RetentionResult(long batchesDeleted, long logStartOffset, long bytesFreed, int transactions) {}
