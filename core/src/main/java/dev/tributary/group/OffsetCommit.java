package dev.tributary.group;

/** One offset to commit: the next offset to consume from a partition of a topic named by the client. */
public record OffsetCommit(String topic, int partition, long offset, String metadata) {}
