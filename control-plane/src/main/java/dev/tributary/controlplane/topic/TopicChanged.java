package dev.tributary.controlplane.topic;

import dev.tributary.topic.TopicMetadata;

/**
 * A CDI event fired by {@link TopicResource} after a topic was created, grown or deleted (the store
 * transaction has committed). It lets other modules follow the set of partitions (the data plane
 * makes them known to partition ownership) without the control plane depending on them.
 * Observers run synchronously in the request; they must not fail it, since the change is done.
 *
 * @param tenant the topic's tenant
 * @param topic the topic after the change (for DELETED: as it was just before)
 * @param kind what happened
 */
public record TopicChanged(String tenant, TopicMetadata topic, Kind kind) {
    public enum Kind { CREATED, PARTITIONS_ADDED, DELETED }
}
