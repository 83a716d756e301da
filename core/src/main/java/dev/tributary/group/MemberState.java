package dev.tributary.group;

import java.util.List;
import java.util.SortedSet;

/**
 * A group member as stored.
 *
 * @param memberId the member's id
 * @param memberEpoch the assignment epoch the member has reconciled to; commits must carry it
 * @param sessionTimeoutMillis how long the member may stay silent before it is removed
 * @param sessionDeadlineMillis the coordinator's clock at the last heartbeat plus the session timeout
 * @param subscribedTopics topic names, sorted
 * @param assigned partitions the member may consume (handed out to it)
 * @param revoking partitions the member still holds but must give up; it may commit them until it
 *     acknowledges, and nobody else gets them before that (or before its session expires)
 * @param target what the assignor wants the member to have eventually
 */
public record MemberState(String memberId, int memberEpoch, int sessionTimeoutMillis, long sessionDeadlineMillis,
        List<String> subscribedTopics, SortedSet<TopicPartition> assigned, SortedSet<TopicPartition> revoking,
        SortedSet<TopicPartition> target) {

    /** Partitions nobody else may be given while this member exists. */
    boolean holds(TopicPartition tp) {
        return assigned.contains(tp) || revoking.contains(tp);
    }
}
