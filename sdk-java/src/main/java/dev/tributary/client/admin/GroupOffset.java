package dev.tributary.client.admin;

/**
 * The position of a consumer group in one partition.
 *
 * @param topic the topic
 * @param partition the partition
 * @param committedOffset the group's committed offset (the next record it will read); -1 if none
 * @param logEndOffset the partition's high watermark; -1 if the server did not report it
 * @param lag records between the committed offset and the log end; -1 if unknown
 */
public record GroupOffset(String topic, int partition, long committedOffset, long logEndOffset, long lag) {}
