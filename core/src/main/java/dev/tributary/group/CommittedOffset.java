package dev.tributary.group;

/**
 * A committed consumer position.
 *
 * @param partition the partition
 * @param offset the next offset to consume
 * @param metadata free text from the committer (at most 4096 characters)
 * @param commitTimeMillis the coordinator's wall clock at commit
 */
public record CommittedOffset(TopicPartition partition, long offset, String metadata, long commitTimeMillis) {}
