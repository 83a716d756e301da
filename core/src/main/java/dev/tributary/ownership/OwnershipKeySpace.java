package dev.tributary.ownership;

import com.apple.foundationdb.subspace.Subspace;
import com.apple.foundationdb.tuple.Tuple;
import dev.tributary.keyspace.RootKeySpace;
import dev.tributary.log.LogKeySpace;
import dev.tributary.topic.TopicId;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Keys and values of the ownership layer, all cluster-wide ({@code C = ("c")}):
 *
 * <pre>
 * C + ("pod", podId)                             pod registration, tuple (1, endpoint, session,
 *                                                heartbeatSeq, leaseMillis, heartbeatWallMillis)
 * C + ("own", tenant, topicId, partition)        ownership record, tuple (1, podId, session, epoch);
 *                                                podId "" and session 0 = tracked but unowned
 * </pre>
 *
 * The epoch in an ownership record is a copy of the partition's leader epoch
 * ({@code T + ("l", topicId, p, "e")}, owned by the log layer), written in the same transaction.
 */
final class OwnershipKeySpace {
    private static final long FORMAT = 1;
    static final Subspace PODS = RootKeySpace.cluster().get("pod");
    static final Subspace OWNERS = RootKeySpace.cluster().get("own");

    private OwnershipKeySpace() {}

    static byte[] pod(String podId) {
        return PODS.pack(Tuple.from(podId));
    }

    static byte[] owner(PartitionRef p) {
        return OWNERS.pack(Tuple.from(p.tenant(), p.topicId().toBytes(), p.partition()));
    }

    /** All ownership records of one topic (a prefix range). */
    static Subspace topicOwners(String tenant, TopicId topicId) {
        return OWNERS.get(tenant).get(topicId.toBytes());
    }

    static PartitionRef decodeOwnerKey(byte[] key) {
        Tuple t = OWNERS.unpack(key);
        return new PartitionRef(t.getString(0), TopicId.of(t.getBytes(1)), (int) t.getLong(2));
    }

    static String decodePodKey(byte[] key) {
        return PODS.unpack(key).getString(0);
    }

    /** The log layer's leader epoch key of the partition. */
    static byte[] leaderEpoch(PartitionRef p) {
        return LogKeySpace.partition(p.tenant(), p.topicId().toBytes(), p.partition()).leaderEpoch();
    }

    static byte[] encodePod(PodInfo pod) {
        return Tuple.from(FORMAT, pod.endpoint(), pod.session(), pod.heartbeatSeq(), pod.leaseMillis(),
                pod.heartbeatWallMillis()).pack();
    }

    static PodInfo decodePod(String podId, byte[] value) {
        Tuple t = Tuple.fromBytes(value);
        checkFormat(t.getLong(0), "pod");
        return new PodInfo(podId, t.getString(1), t.getLong(2), t.getLong(3), t.getLong(4), t.getLong(5));
    }

    /** An ownership record: who (pod and session) holds the partition under which epoch. */
    record OwnerRecord(String podId, long session, long epoch) {
        static final String NOBODY = "";

        boolean owned() {
            return !podId.isEmpty();
        }

        /** Owned by a pod whose registration (with the same session) is still in storage. */
        boolean heldBy(PodInfo pod) {
            return pod != null && owned() && pod.podId().equals(podId) && pod.session() == session;
        }

        byte[] encode() {
            return Tuple.from(FORMAT, podId, session, epoch).pack();
        }

        static OwnerRecord decode(byte[] value) {
            if (value == null) {
                return null;
            }
            Tuple t = Tuple.fromBytes(value);
            checkFormat(t.getLong(0), "ownership record");
            return new OwnerRecord(t.getString(1), t.getLong(2), t.getLong(3));
        }
    }

    /** Leader epochs are int64 little-endian, absent = 0 (the log layer's encoding). */
    static long decodeEpoch(byte[] value) {
        if (value == null) {
            return 0;
        }
        if (value.length != 8) {
            throw new IllegalStateException("leader epoch of " + value.length + " bytes, expected 8");
        }
        return ByteBuffer.wrap(value).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    static byte[] encodeEpoch(long epoch) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(epoch).array();
    }

    private static void checkFormat(long format, String what) {
        if (format != FORMAT) {
            throw new IllegalStateException(what + " of format " + format + " (this version reads " + FORMAT + ")");
        }
    }
}
