package dev.tributary.controlplane.group;

import java.util.List;

/** The JSON shapes of the consumer-group API (docs/openapi.yaml). Enum values are lower case on the wire. */
public final class GroupViews {
    private GroupViews() {}

    /**
     * A group in a listing.
     *
     * @param state {@code empty}, {@code reconciling} or {@code stable}
     * @param members live members
     */
    public record GroupSummary(String groupId, String state, int members) {}

    /**
     * One group: live members with their assignments, and every partition the group consumes or has
     * an offset for.
     *
     * @param generation the group epoch: raised by every change of membership, subscriptions or
     *     subscribed topics' partitions
     */
    public record GroupDetail(String groupId, String state, int generation, List<GroupMemberView> members,
            List<PartitionOffset> offsets) {}

    /**
     * A live member.
     *
     * @param clientId the client's self-chosen id; always null for now, the group protocol does not
     *     carry one yet
     * @param assignments the partitions the member may consume now
     */
    public record GroupMemberView(String memberId, String clientId, List<MemberPartition> assignments) {}

    /** A partition of a topic, by name. */
    public record MemberPartition(String topic, int partition) {}

    /**
     * A partition's position in a group.
     *
     * @param topic null if the topic has been deleted (its offsets stay until the group is deleted)
     * @param committedOffset the next offset the group will consume; null if nothing is committed
     * @param logEndOffset the partition's high watermark; null if the topic has been deleted
     * @param lag logEndOffset - committedOffset; null when either is unknown
     */
    public record PartitionOffset(String topic, int partition, Long committedOffset, Long logEndOffset, Long lag) {}

    /**
     * Body of an offset reset.
     *
     * @param to {@code earliest} (log start), {@code latest} (log end: only new records) or
     *     {@code timestamp} (the first record whose timestamp is at least {@code timestamp}, or the
     *     log end if there is none)
     * @param timestamp epoch milliseconds, required with {@code to=timestamp} and only then
     * @param topics the topics whose partitions move (every partition of each); absent: every
     *     existing topic in the group's description (those it has offsets for)
     */
    public record OffsetResetRequest(String to, Long timestamp, List<String> topics) {}

    /** The offsets a reset wrote, one per partition of the reset topics. */
    public record OffsetResetResult(String groupId, List<PartitionOffset> offsets) {}
}
