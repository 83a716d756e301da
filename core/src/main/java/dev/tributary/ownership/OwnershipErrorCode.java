package dev.tributary.ownership;

/** Stable reasons why an ownership operation was refused; servers map them to gRPC statuses. */
public enum OwnershipErrorCode {
    /** The pod is not registered, or its registration was expired by another pod (its lease lapsed). */
    POD_NOT_REGISTERED,
    /** The pod's own lease deadline has passed (no successful heartbeat within the lease period). */
    LEASE_EXPIRED,
    /** Another live pod owns the partition. */
    PARTITION_OWNED,
    /** The partition is not owned by this pod. */
    NOT_OWNER,
    /** The topic does not exist (any more) or has no such partition. */
    UNKNOWN_PARTITION,
    /** A malformed argument (pod id, endpoint, lease length). */
    INVALID_REQUEST
}
