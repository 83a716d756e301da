/**
 * Log compaction for cleanup.policy=compact: keeps the latest record of every key, removes
 * tombstones after delete.retention.ms, leaves offsets, the high watermark and the log start as
 * they are, in bounded memory and bounded transactions that never make appends retry
 * ({@link dev.tributary.compaction.LogCompactor}).
 */
package dev.tributary.compaction;
