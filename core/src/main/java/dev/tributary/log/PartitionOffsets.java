package dev.tributary.log;

/**
 * The readable range of a partition: offsets in [logStartOffset, highWatermark).
 *
 * @param logStartOffset earliest offset still stored
 * @param highWatermark offset of the next record to be appended (the log end)
 */
public record PartitionOffsets(long logStartOffset, long highWatermark) {}
