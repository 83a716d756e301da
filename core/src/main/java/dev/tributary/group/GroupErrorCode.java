package dev.tributary.group;

/** Stable reasons why a consumer-group operation was refused; servers map them to gRPC statuses. */
public enum GroupErrorCode {
    /** No group with that id in the tenant. */
    UNKNOWN_GROUP,
    /** The member id is not (any more) in the group: never joined, left, or its session expired. Rejoin. */
    UNKNOWN_MEMBER_ID,
    /** A commit carried an older member epoch than the member's current one: heartbeat, then retry. */
    STALE_MEMBER_EPOCH,
    /** The member epoch does not match (a heartbeat with another epoch, or a commit with a newer one): rejoin. */
    FENCED_MEMBER_EPOCH,
    /** The member committed an offset for a partition that is not assigned to it. */
    NOT_ASSIGNED,
    /** The operation needs a group without live members (offset reset, delete). */
    GROUP_NOT_EMPTY,
    /** A negative offset, one beyond the high watermark, or outside the valid range for a reset. */
    INVALID_OFFSET,
    /** The topic or partition does not exist in the tenant. */
    UNKNOWN_TOPIC_OR_PARTITION,
    /** Malformed group id, member id, empty subscription, bad timeout or metadata too long. */
    INVALID_REQUEST,
    /** The group would exceed its member or partition limit (its state must fit one transaction). */
    GROUP_TOO_LARGE
}
