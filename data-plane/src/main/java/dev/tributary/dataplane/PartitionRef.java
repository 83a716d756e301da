package dev.tributary.dataplane;

import dev.tributary.topic.TopicId;

/** One partition of one tenant's topic: the unit of append coalescing and of shared watches. */
public record PartitionRef(String tenant, TopicId topicId, int partition) {}
