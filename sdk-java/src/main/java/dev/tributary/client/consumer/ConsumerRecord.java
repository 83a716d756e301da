package dev.tributary.client.consumer;

import dev.tributary.client.Header;
import dev.tributary.client.TopicPartition;
import java.util.List;

/**
 * A record read from a partition.
 *
 * @param topicPartition where it is stored
 * @param offset its offset
 * @param timestamp its create timestamp (epoch ms)
 * @param key the deserialized key (may be null)
 * @param value the deserialized value (null: a tombstone)
 * @param headers its headers, in order
 * @param serializedKeySize bytes of the key, -1 if null
 * @param serializedValueSize bytes of the value, -1 if null
 */
public record ConsumerRecord<K, V>(TopicPartition topicPartition, long offset, long timestamp, K key, V value, List<Header> headers,
        int serializedKeySize, int serializedValueSize) {
    public String topic() {
        return topicPartition.topic();
    }

    public int partition() {
        return topicPartition.partition();
    }
}
