package dev.tributary.client;

import java.util.Objects;

/** A partition of a topic of the caller's tenant. */
public record TopicPartition(String topic, int partition) implements Comparable<TopicPartition> {
    public TopicPartition {
        Objects.requireNonNull(topic, "topic");
        if (partition < 0) {
            throw new IllegalArgumentException("partition must be >= 0, not " + partition);
        }
    }

    @Override
    public int compareTo(TopicPartition other) {
        int c = topic.compareTo(other.topic);
        return c != 0 ? c : Integer.compare(partition, other.partition);
    }

    @Override
    public String toString() {
        return topic + "-" + partition;
    }
}
