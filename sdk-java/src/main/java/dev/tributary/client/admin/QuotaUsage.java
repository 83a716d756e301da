package dev.tributary.client.admin;

/**
 * What a tenant uses of its quotas. Counts are the tenant's; rates are the answering server's
 * recent measurements (another server may see other traffic of the tenant).
 *
 * @param topics topics
 * @param partitions partitions over all topics
 * @param storageBytes bytes held by the tenant's logs
 * @param connections concurrent connections and streams
 * @param produceBytesPerSecond recent produce rate
 * @param fetchBytesPerSecond recent fetch rate
 * @param requestsPerSecond recent request rate
 */
public record QuotaUsage(long topics, long partitions, long storageBytes, long connections, double produceBytesPerSecond,
        double fetchBytesPerSecond, double requestsPerSecond) {}
