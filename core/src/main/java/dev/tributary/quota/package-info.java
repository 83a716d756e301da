/**
 * Per-tenant quotas: the limits ({@link dev.tributary.quota.TenantQuota}, stored by {@link
 * dev.tributary.quota.QuotaStore}, with defaults from configuration), the count quotas checked in
 * the transaction that creates topics or partitions ({@link dev.tributary.quota.QuotaStore} as the
 * topic layer's {@link dev.tributary.topic.TopicStore.CountGuard}), and what one data-plane pod
 * enforces by itself ({@link dev.tributary.quota.QuotaEnforcer}): rates per tenant and kind
 * ({@link dev.tributary.quota.RateLimiter}), concurrent streams, and storage use (the sum of the
 * tenant's partitions' retained-byte counters, cached and refreshed at a bounded interval).
 *
 * <p>Rate quotas are enforced by each pod on its own traffic, as Kafka's are by each broker: a
 * tenant whose clients spread over N pods can reach up to N times its rates.
 */
package dev.tributary.quota;
