package dev.tributary.group;

import java.util.List;
import java.util.Set;

/**
 * A member's heartbeat (Kafka's ConsumerGroupHeartbeat, simplified).
 *
 * @param memberId empty or null to join (the coordinator chooses an id); a known id otherwise. A
 *     known id with epoch 0 joins again as a new incarnation (its earlier partitions are dropped)
 * @param memberEpoch 0 to join, otherwise the epoch of the last response
 * @param subscribedTopics topic names; required to join, null for "unchanged"
 * @param ownedPartitions the partitions the client holds right now; null for "unchanged". Sending
 *     a set without the partitions being revoked acknowledges their revocation
 * @param sessionTimeoutMillis the member's session timeout on join (0 = the coordinator's default)
 */
public record HeartbeatRequest(String memberId, int memberEpoch, List<String> subscribedTopics,
        Set<TopicPartition> ownedPartitions, int sessionTimeoutMillis) {

    public static HeartbeatRequest join(List<String> topics) {
        return new HeartbeatRequest(null, 0, topics, null, 0);
    }

    public static HeartbeatRequest of(String memberId, int memberEpoch, Set<TopicPartition> owned) {
        return new HeartbeatRequest(memberId, memberEpoch, null, owned, 0);
    }
}
