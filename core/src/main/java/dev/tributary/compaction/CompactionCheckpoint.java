package dev.tributary.compaction;

import com.apple.foundationdb.tuple.Tuple;

/**
 * How far compaction has cleaned a partition, stored at {@code ("l", topicId, p, "c")} as the
 * tuple {@code (1, cleanOffset, cleanBytes, tombstoneDeadline)}.
 *
 * @param cleanOffset every key occurs at most once among the records below this offset (the last
 *     completed pass covered them); the next pass maps keys from here
 * @param cleanBytes stored bytes of the batches below {@code cleanOffset} when that pass ended:
 *     what the dirty ratio compares new data with
 * @param tombstoneDeadline the earliest time (epoch ms) at which a tombstone kept below {@code
 *     cleanOffset} may be removed, {@link Long#MAX_VALUE} if none is kept: a pass is due then even
 *     without new data
 */
record CompactionCheckpoint(long cleanOffset, long cleanBytes, long tombstoneDeadline) {
    private static final long FORMAT_VERSION = 1;

    /** A partition never compacted. */
    static final CompactionCheckpoint NONE = new CompactionCheckpoint(0, 0, Long.MAX_VALUE);

    static CompactionCheckpoint decode(byte[] value) {
        if (value == null) {
            return NONE;
        }
        Tuple t = Tuple.fromBytes(value);
        if (t.size() != 4 || t.getLong(0) != FORMAT_VERSION) {
            throw new IllegalStateException("compaction checkpoint of an unknown format: " + t);
        }
        return new CompactionCheckpoint(t.getLong(1), t.getLong(2), t.getLong(3));
    }

    byte[] encode() {
        return Tuple.from(FORMAT_VERSION, cleanOffset, cleanBytes, tombstoneDeadline).pack();
    }
}
