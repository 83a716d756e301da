package dev.tributary.client.producer;

import dev.tributary.client.TopicPartition;

/**
 * Where a sent record was stored.
 *
 * @param topicPartition its partition
 * @param offset its offset; -1 when sent with acks=none (not known to the client)
 * @param timestamp the record's create timestamp (epoch ms)
 * @param logAppendTime the server's commit time of its batch (epoch ms); -1 with acks=none
 * @param serializedKeySize bytes of the key, -1 if null
 * @param serializedValueSize bytes of the value, -1 if null
 */
public record RecordMetadata(TopicPartition topicPartition, long offset, long timestamp, long logAppendTime, int serializedKeySize,
        int serializedValueSize) {
    public String topic() {
        return topicPartition.topic();
    }

    public int partition() {
        return topicPartition.partition();
    }

    public boolean hasOffset() {
        return offset >= 0;
    }
}
