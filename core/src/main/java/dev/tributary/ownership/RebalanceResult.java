package dev.tributary.ownership;

import java.util.List;

/**
 * What one balancing round of a pod did.
 *
 * @param acquired partitions this pod took (each with a new leader epoch)
 * @param released partitions this pod gave up because it held more than its share
 * @param expiredPods registrations this pod removed because their heartbeat stopped
 * @param livePods pods counted for the fair share, this one included
 * @param target this pod's fair share of the tracked partitions
 * @param owned partitions this pod owns after the round
 */
public record RebalanceResult(List<PartitionRef> acquired, List<PartitionRef> released, List<String> expiredPods,
        int livePods, int target, int owned) {}
