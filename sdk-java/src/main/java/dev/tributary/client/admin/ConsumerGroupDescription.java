package dev.tributary.client.admin;

import dev.tributary.client.TopicPartition;
import java.util.List;

/**
 * A consumer group with its members, their assignments and the group's offsets.
 *
 * @param groupId its id
 * @param state its state as the server names it (e.g. {@code empty}, {@code stable})
 * @param generation the group's epoch: it grows with every change of membership or subscriptions
 * @param members the members
 * @param offsets committed offset, log end and lag per partition
 */
public record ConsumerGroupDescription(String groupId, String state, int generation, List<Member> members, List<GroupOffset> offsets) {
    public ConsumerGroupDescription {
        members = List.copyOf(members);
        offsets = List.copyOf(offsets);
    }

    /**
     * A member of the group.
     *
     * @param memberId its id, chosen by the server
     * @param clientId the client id the member gave, if any
     * @param assignments the partitions assigned to it
     */
    public record Member(String memberId, String clientId, List<TopicPartition> assignments) {
        public Member {
            assignments = List.copyOf(assignments);
        }
    }
}
