package dev.tributary.log;

/**
 * The answer to "offset for timestamp T": the earliest record whose timestamp is at least T.
 *
 * @param offset that record's offset
 * @param timestamp that record's timestamp
 */
public record TimestampOffset(long offset, long timestamp) {}
