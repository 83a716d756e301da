package dev.tributary.group;

import dev.tributary.topic.TopicId;
import java.util.Comparator;

/** A partition of a topic, by topic id (a re-created topic is a different topic). */
public record TopicPartition(TopicId topicId, int partition) implements Comparable<TopicPartition> {
    private static final Comparator<TopicPartition> ORDER =
            Comparator.comparing((TopicPartition tp) -> tp.topicId().toString()).thenComparingInt(TopicPartition::partition);

    @Override
    public int compareTo(TopicPartition o) {
        return ORDER.compare(this, o);
    }
}
