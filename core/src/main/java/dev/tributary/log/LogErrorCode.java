package dev.tributary.log;

/**
 * Stable error codes of the topic and log layers. The names are part of the API: servers map them
 * to gRPC statuses / problem types and put them into error details, clients branch on them.
 */
public enum LogErrorCode {
    /** No topic with that name or id in the tenant (never created, or deleted). */
    UNKNOWN_TOPIC,
    /** The partition number is negative or not below the topic's partition count. */
    UNKNOWN_PARTITION,
    /** The requested offset is outside [log start offset, high watermark]; the message gives the range. */
    OFFSET_OUT_OF_RANGE,
    /** The batch is larger than the topic's max.message.bytes. */
    RECORD_TOO_LARGE,
    /** The batch is malformed or corrupted (the message names the record-format reason). */
    INVALID_BATCH,
    /** The appender's leader epoch is older than the partition's: another owner took over. */
    FENCED_LEADER_EPOCH,
    /** The appender's leader epoch is newer than the partition's: it was never granted. */
    UNKNOWN_LEADER_EPOCH,
    /** A topic with that name already exists in the tenant. */
    TOPIC_ALREADY_EXISTS,
    /** The topic name breaks the naming rules. */
    INVALID_TOPIC_NAME,
    /** Partition count outside [1, max], or a change that would shrink the topic. */
    INVALID_PARTITIONS,
    /** An unknown configuration key or a value outside its range. */
    INVALID_CONFIG,
    /** A request argument outside its range (negative max bytes, bad page size, ...). */
    INVALID_REQUEST
}
