package dev.tributary.log;

import dev.tributary.storage.ReadTransaction;
import dev.tributary.topic.TopicId;
import dev.tributary.topic.TopicMetadata;
import dev.tributary.topic.TopicStore;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * What the layers that maintain a partition's log beside {@link PartitionLog} (retention,
 * compaction) need to read and write it exactly as the log does: the partition check every log
 * operation starts with, failing like the log, and the encodings of the values under {@link
 * LogKeySpace} (int64 little-endian counters, the 16-byte tail).
 */
public final class PartitionAccess {
    private PartitionAccess() {}

    /** Fails with UNKNOWN_PARTITION for a negative partition number, before anything is read. */
    public static void checkPartitionNumber(int partition) {
        if (partition < 0) {
            throw new LogException(LogErrorCode.UNKNOWN_PARTITION, "partition numbers are not negative: " + partition);
        }
    }

    /** The topic's metadata, read in {@code tx}; UNKNOWN_TOPIC or UNKNOWN_PARTITION if there is no such partition. */
    public static TopicMetadata requirePartition(ReadTransaction tx, String tenant, TopicId topicId, int partition) {
        TopicMetadata topic = TopicStore.readById(tx, tenant, topicId);
        if (topic == null) {
            throw new LogException(LogErrorCode.UNKNOWN_TOPIC, "no topic with id " + topicId + " in tenant '" + tenant + "'");
        }
        if (partition >= topic.partitions()) {
            throw new LogException(LogErrorCode.UNKNOWN_PARTITION, "topic '" + topic.name() + "' has partitions 0.."
                    + (topic.partitions() - 1) + ", not " + partition);
        }
        return topic;
    }

    /** The next offset from the tail value (16 bytes: next offset, running max timestamp; absent = 0). */
    public static long decodeTailNextOffset(byte[] tail) {
        if (tail == null) {
            return 0;
        }
        if (tail.length != 16) {
            throw new IllegalStateException("partition tail of " + tail.length + " bytes, expected 16");
        }
        return ByteBuffer.wrap(tail).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    /** An int64 little-endian value (log start, leader epoch, retained bytes), {@code absent} if there is none. */
    public static long decodeLong(byte[] value, long absent) {
        if (value == null) {
            return absent;
        }
        if (value.length != 8) {
            throw new IllegalStateException("expected an 8-byte counter, found " + value.length + " bytes");
        }
        return ByteBuffer.wrap(value).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    /** {@code v} as int64 little-endian, as the values are stored and as atomic ADDs take it. */
    public static byte[] encodeLong(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
    }
}
