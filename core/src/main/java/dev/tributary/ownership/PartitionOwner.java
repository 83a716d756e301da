package dev.tributary.ownership;

/**
 * The current owner of a partition as seen in storage.
 *
 * @param partition the partition
 * @param podId the owning pod
 * @param endpoint where to send produce requests for it
 * @param leaderEpoch the epoch appends must carry (the partition's leader epoch)
 */
public record PartitionOwner(PartitionRef partition, String podId, String endpoint, long leaderEpoch) {}
