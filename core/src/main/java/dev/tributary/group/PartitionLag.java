package dev.tributary.group;

import dev.tributary.topic.TopicId;

/**
 * A partition's position in a group's description.
 *
 * @param committedOffset -1 if nothing is committed
 * @param highWatermark -1 if the topic no longer exists
 * @param lag highWatermark - committedOffset, or -1 when either is unknown
 * @param memberId the member that holds the partition, or null
 */
public record PartitionLag(String topic, TopicId topicId, int partition, long committedOffset, long highWatermark,
        long lag, String memberId) {}
