package dev.tributary.quota;

import com.apple.foundationdb.tuple.Tuple;
import dev.tributary.keyspace.RootKeySpace;

/**
 * Every key the quota layer writes (tuple-encoded), under the tenant's subspace {@code T = ("t",
 * tenantId)}:
 *
 * <pre>
 * T + ("q", "limits")    the tenant's limits, tuple (1, produceBytesPerSecond, fetchBytesPerSecond,
 *                        requestsPerSecond, storageBytes, topics, partitions, connections), each an
 *                        integer or null for unlimited (see TenantQuota); absent = the configured defaults
 * </pre>
 *
 * <p>What the limits are compared with lives elsewhere: topic and partition counts in {@code T +
 * ("tc")} (the topic layer's, see {@code TopicStore}), stored bytes in the partitions' {@code T +
 * ("l", topicId, p, "z")} counters (the log's), rates and streams in each pod's memory. A tenant's
 * quota lives in its subspace, so deleting the tenant deletes it.
 */
public final class QuotaKeySpace {
    private QuotaKeySpace() {}

    public static byte[] limits(String tenant) {
        return RootKeySpace.tenant(tenant).pack(Tuple.from("q", "limits"));
    }
}
