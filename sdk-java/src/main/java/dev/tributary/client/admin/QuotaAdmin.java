package dev.tributary.client.admin;

import java.util.concurrent.CompletableFuture;

/**
 * The quota of the admin client's tenant ({@code /v1/tenants/{tenant}/quota}): platform
 * administrators set and reset it; the tenant's administrators may read it. Errors: INVALID_QUOTA,
 * PRECONDITION_FAILED, TENANT_NOT_FOUND, FORBIDDEN. A tenant past a limit meets THROTTLED (rates,
 * retried by the producer), TOPIC_QUOTA_EXCEEDED, PARTITION_QUOTA_EXCEEDED, STORAGE_QUOTA_EXCEEDED or
 * CONNECTION_QUOTA_EXCEEDED.
 */
public interface QuotaAdmin {
    /** The limits in force and the current use. */
    CompletableFuture<TenantQuota> describeQuota();

    /**
     * Replaces the limits: every null field becomes unlimited. With a non-null {@code ifMatch} (an
     * etag from {@link #describeQuota}) the change applies only if nobody changed the limits since
     * (else PRECONDITION_FAILED).
     */
    CompletableFuture<TenantQuota> setQuota(QuotaLimits limits, String ifMatch);

    /** Returns the tenant to the server's configured default limits. */
    CompletableFuture<Void> resetQuota();
}
