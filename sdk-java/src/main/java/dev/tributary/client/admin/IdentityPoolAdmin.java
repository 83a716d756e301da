package dev.tributary.client.admin;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The identity pools of the admin client's tenant ({@code /v1/tenants/{tenant}/identity-pools}); its
 * tenant administrators and platform administrators only. Errors: INVALID_IDENTITY_POOL,
 * IDENTITY_POOL_ALREADY_EXISTS, ISSUER_ALREADY_REGISTERED, IDENTITY_POOL_NOT_FOUND, PRECONDITION_FAILED,
 * TENANT_NOT_FOUND, FORBIDDEN.
 */
public interface IdentityPoolAdmin {
    CompletableFuture<IdentityPool> createIdentityPool(IdentityPool pool);

    /** Every pool of the tenant (all pages), by name. */
    CompletableFuture<List<IdentityPool>> listIdentityPools();

    /** One page of at most {@code pageSize} pools (1 to 1000) after {@code pageToken} (null: the first page). */
    CompletableFuture<Page<IdentityPool>> listIdentityPools(int pageSize, String pageToken);

    CompletableFuture<IdentityPool> describeIdentityPool(String name);

    /**
     * Replaces every setting of the pool named {@code pool.name()}. With a non-null {@code ifMatch}
     * (the etag describe returned) only if nobody changed it since (else PRECONDITION_FAILED).
     */
    CompletableFuture<IdentityPool> replaceIdentityPool(IdentityPool pool, String ifMatch);

    /** Deletes the pool; its principals' tokens are no longer accepted. */
    CompletableFuture<Void> deleteIdentityPool(String name);
}
