package dev.tributary.topic;

/**
 * What is stored about a topic.
 *
 * @param id immutable identity, used in every data key
 * @param name the tenant-unique name
 * @param partitions partition count (only grows)
 * @param config explicit configuration overrides
 * @param createdAtMillis creation time, epoch milliseconds
 */
public record TopicMetadata(TopicId id, String name, int partitions, TopicConfig config, long createdAtMillis) {}
