package dev.tributary.group;

import dev.tributary.topic.TopicId;
import java.util.List;

/** The partitions of one topic in an assignment, with the topic's name for the client. */
public record AssignedTopic(String topic, TopicId topicId, List<Integer> partitions) {}
