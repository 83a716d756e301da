package dev.tributary.group;

import java.util.List;

/**
 * Everything about one group.
 *
 * @param members live members with their assigned, revoking and target partitions
 * @param partitions every partition of the subscribed topics plus every partition with a committed
 *     offset, with committed offset and lag
 */
public record GroupDescription(String groupId, GroupState state, int groupEpoch, int assignmentEpoch,
        List<MemberState> members, List<PartitionLag> partitions) {}
