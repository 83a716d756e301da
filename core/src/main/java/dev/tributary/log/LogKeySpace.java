package dev.tributary.log;

import com.apple.foundationdb.subspace.Subspace;
import com.apple.foundationdb.tuple.Tuple;
import dev.tributary.keyspace.RootKeySpace;
import dev.tributary.storage.Keys;

/**
 * Every key the topic and log layers write, all under the tenant's subspace {@code T =
 * ("t", tenantId)} (see docs/architecture.md, "Log layer"):
 *
 * <pre>
 * T + ("tn", name)                               topic id (16 raw bytes): name index, list order
 * T + ("ti", topicId)                            topic metadata, tuple-packed (see TopicStore)
 * T + ("tc")                                     the tenant's topic and partition counts, tuple
 *                                                (1, topics, partitions) (see TopicStore; absent
 *                                                in stores written before it: counted on first use)
 * T + ("l", topicId, partition, "b", base, n)    chunk n of the batch whose base offset is base
 * T + ("l", topicId, partition, "c")             compaction checkpoint (see dev.tributary.compaction)
 * T + ("l", topicId, partition, "e")             leader epoch, int64 little-endian (absent = 0)
 * T + ("l", topicId, partition, "h")             tail: next offset (= high watermark) and the running
 *                                                max timestamp, two int64 little-endian (absent = 0, none)
 * T + ("l", topicId, partition, "i", ts, base)   time index entry (empty value): the running max
 *                                                timestamp first reached ts at the batch at base
 * T + ("l", topicId, partition, "s")             log start offset, int64 little-endian (absent = 0)
 * T + ("l", topicId, partition, "z")             retained bytes: sum of the stored batches' sizes,
 *                                                int64 little-endian (absent = 0); appends ADD,
 *                                                retention ADDs the negated size of what it deletes,
 *                                                compaction the size change of what it rewrites
 * </pre>
 *
 * <p>Everything of a topic's log is under {@code T + ("l", topicId)}, so deleting a topic is one
 * range clear. Different partitions share no key, so their appends never conflict.
 */
public final class LogKeySpace {
    static final String TOPIC_NAMES = "tn";
    static final String TOPIC_IDS = "ti";
    static final String LOGS = "l";
    static final String TOPIC_COUNTS = "tc";

    private LogKeySpace() {}

    /** The name index entry of a topic. */
    public static byte[] topicName(String tenant, String name) {
        return RootKeySpace.tenant(tenant).pack(Tuple.from(TOPIC_NAMES, name));
    }

    /** The tenant's topic and partition counts (what the count quotas limit). */
    public static byte[] topicCounts(String tenant) {
        return RootKeySpace.tenant(tenant).pack(Tuple.from(TOPIC_COUNTS));
    }

    /** The subspace of a tenant's name index, for listing in name order. */
    public static Subspace topicNames(String tenant) {
        return RootKeySpace.tenant(tenant).get(TOPIC_NAMES);
    }

    /** The metadata key of a topic. */
    public static byte[] topicMetadata(String tenant, byte[] topicId) {
        return RootKeySpace.tenant(tenant).pack(Tuple.from(TOPIC_IDS, topicId));
    }

    /** Everything of one topic's log, all partitions. */
    public static Subspace topicLog(String tenant, byte[] topicId) {
        return RootKeySpace.tenant(tenant).get(LOGS).get(topicId);
    }

    public static PartitionKeys partition(String tenant, byte[] topicId, int partition) {
        return new PartitionKeys(topicLog(tenant, topicId).get(partition));
    }

    /** The keys of one partition, packed once per operation. */
    public static final class PartitionKeys {
        private final Subspace partition;
        final byte[] tail;
        final byte[] leaderEpoch;
        final byte[] logStart;
        final byte[] batchesBegin;
        final byte[] batchesEnd;
        final byte[] indexBegin;
        final byte[] indexEnd;
        final byte[] retainedBytes;
        final byte[] compactionCheckpoint;

        PartitionKeys(Subspace partition) {
            this.partition = partition;
            this.tail = partition.pack(Tuple.from("h"));
            this.leaderEpoch = partition.pack(Tuple.from("e"));
            this.logStart = partition.pack(Tuple.from("s"));
            this.batchesBegin = partition.pack(Tuple.from("b"));
            this.batchesEnd = Keys.prefixEnd(batchesBegin);
            this.indexBegin = partition.pack(Tuple.from("i"));
            this.indexEnd = Keys.prefixEnd(indexBegin);
            this.retainedBytes = partition.pack(Tuple.from("z"));
            this.compactionCheckpoint = partition.pack(Tuple.from("c"));
        }

        // Accessors for the retention and compaction layers (dev.tributary.retention,
        // dev.tributary.compaction), which delete and rewrite batches and must use exactly the
        // layout the log writes.

        public byte[] logStart() {
            return logStart.clone();
        }

        /** The retained-bytes counter: maintained with atomic ADDs so appends never read it. */
        public byte[] retainedBytes() {
            return retainedBytes.clone();
        }

        public byte[] batchesBegin() {
            return batchesBegin.clone();
        }

        public byte[] batchesEnd() {
            return batchesEnd.clone();
        }

        public byte[] indexBegin() {
            return indexBegin.clone();
        }

        public byte[] indexEnd() {
            return indexEnd.clone();
        }

        public byte[] tail() {
            return tail.clone();
        }

        public byte[] leaderEpoch() {
            return leaderEpoch.clone();
        }

        /** How far compaction has cleaned the partition; written only by dev.tributary.compaction. */
        public byte[] compactionCheckpoint() {
            return compactionCheckpoint.clone();
        }

        /** Chunk {@code chunkNo} of the batch at {@code baseOffset}. */
        public byte[] chunk(long baseOffset, int chunkNo) {
            return partition.pack(Tuple.from("b", baseOffset, chunkNo));
        }

        /** The first key of the batch at {@code baseOffset} (its chunk 0) and of every later batch. */
        public byte[] batchesFrom(long baseOffset) {
            return partition.pack(Tuple.from("b", baseOffset));
        }

        /** Decodes (baseOffset, chunkNo) from a batch chunk key. */
        public long[] decodeChunk(byte[] key) {
            Tuple t = partition.unpack(key);
            return new long[] {t.getLong(1), t.getLong(2)};
        }

        public byte[] indexEntry(long timestamp, long baseOffset) {
            return partition.pack(Tuple.from("i", timestamp, baseOffset));
        }

        public byte[] indexFrom(long timestamp) {
            return partition.pack(Tuple.from("i", timestamp));
        }

        /** Decodes (timestamp, baseOffset) from an index key. */
        public long[] decodeIndex(byte[] key) {
            Tuple t = partition.unpack(key);
            return new long[] {t.getLong(1), t.getLong(2)};
        }
    }
}
