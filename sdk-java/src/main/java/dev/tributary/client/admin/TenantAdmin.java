package dev.tributary.client.admin;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Tenants ({@code /v1/tenants}); platform administrators only (anyone else: FORBIDDEN). Errors:
 * INVALID_TENANT_ID, TENANT_ALREADY_EXISTS, TENANT_NOT_FOUND.
 */
public interface TenantAdmin {
    CompletableFuture<Tenant> createTenant(String id);

    /** Every tenant (all pages), by id. */
    CompletableFuture<List<Tenant>> listTenants();

    /** One page of at most {@code pageSize} tenants (1 to 1000) after {@code pageToken} (null: the first page). */
    CompletableFuture<Page<Tenant>> listTenants(int pageSize, String pageToken);

    CompletableFuture<Tenant> describeTenant(String id);

    /** Deletes the tenant and everything it owns; its principals' tokens stop working. */
    CompletableFuture<Void> deleteTenant(String id);
}
