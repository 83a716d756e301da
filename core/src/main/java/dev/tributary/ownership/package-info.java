/**
 * Partition ownership: data-plane pods register with a heartbeat, each partition is owned by at
 * most one pod under a lease whose acquisition raises the partition's leader epoch, so a former
 * owner's appends are fenced by the log. {@link dev.tributary.ownership.PodOwnership} is one pod's
 * agent (register, heartbeat, acquire, release, balance); {@link dev.tributary.ownership.OwnershipView}
 * answers "who owns partition P" for metadata and redirects.
 */
package dev.tributary.ownership;
