package dev.tributary.client.admin;

/**
 * The quota limits of a tenant; null means unlimited.
 *
 * @param produceBytesPerSecond bytes per second the tenant may produce
 * @param fetchBytesPerSecond bytes per second the tenant may fetch
 * @param requestsPerSecond requests per second
 * @param storageBytes bytes the tenant's logs may hold
 * @param topics topics the tenant may have
 * @param partitions partitions the tenant may have, over all its topics
 * @param connections concurrent connections and streams
 */
public record QuotaLimits(Long produceBytesPerSecond, Long fetchBytesPerSecond, Long requestsPerSecond, Long storageBytes, Long topics,
        Long partitions, Long connections) {
    /** No limit at all. */
    public static final QuotaLimits UNLIMITED = new QuotaLimits(null, null, null, null, null, null, null);

    public QuotaLimits withProduceBytesPerSecond(Long value) {
        return new QuotaLimits(value, fetchBytesPerSecond, requestsPerSecond, storageBytes, topics, partitions, connections);
    }

    public QuotaLimits withFetchBytesPerSecond(Long value) {
        return new QuotaLimits(produceBytesPerSecond, value, requestsPerSecond, storageBytes, topics, partitions, connections);
    }

    public QuotaLimits withRequestsPerSecond(Long value) {
        return new QuotaLimits(produceBytesPerSecond, fetchBytesPerSecond, value, storageBytes, topics, partitions, connections);
    }

    public QuotaLimits withStorageBytes(Long value) {
        return new QuotaLimits(produceBytesPerSecond, fetchBytesPerSecond, requestsPerSecond, value, topics, partitions, connections);
    }

    public QuotaLimits withTopics(Long value) {
        return new QuotaLimits(produceBytesPerSecond, fetchBytesPerSecond, requestsPerSecond, storageBytes, value, partitions, connections);
    }

    public QuotaLimits withPartitions(Long value) {
        return new QuotaLimits(produceBytesPerSecond, fetchBytesPerSecond, requestsPerSecond, storageBytes, topics, value, connections);
    }

    public QuotaLimits withConnections(Long value) {
        return new QuotaLimits(produceBytesPerSecond, fetchBytesPerSecond, requestsPerSecond, storageBytes, topics, partitions, value);
    }
}
