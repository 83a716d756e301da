package dev.tributary.group;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The coordinator's answer to a heartbeat.
 *
 * @param memberId the member's id (chosen by the coordinator on join)
 * @param memberEpoch the epoch to send next and to put on offset commits
 * @param assignment the partitions the member may consume now; it must stop consuming (and may
 *     first commit) any partition it holds that is not in here, then say so in its next heartbeat
 * @param heartbeatIntervalMillis when to send the next heartbeat at the latest
 */
public record HeartbeatResponse(String memberId, int memberEpoch, List<AssignedTopic> assignment,
        int heartbeatIntervalMillis) {

    public Set<TopicPartition> partitions() {
        Set<TopicPartition> all = new HashSet<>();
        for (AssignedTopic t : assignment) {
            for (int p : t.partitions()) {
                all.add(new TopicPartition(t.topicId(), p));
            }
        }
        return all;
    }
}
