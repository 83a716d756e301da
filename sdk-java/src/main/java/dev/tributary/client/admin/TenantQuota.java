package dev.tributary.client.admin;

/**
 * A tenant's quota: the limits in force and what the tenant uses.
 *
 * @param limits the limits (null fields: unlimited)
 * @param usage the current use
 * @param etag the version of the limits, for {@link QuotaAdmin#setQuota}'s {@code ifMatch}; null if the server sent none
 */
public record TenantQuota(QuotaLimits limits, QuotaUsage usage, String etag) {}
