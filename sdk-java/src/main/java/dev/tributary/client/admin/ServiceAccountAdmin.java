package dev.tributary.client.admin;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The service accounts of the admin client's tenant ({@code /v1/tenants/{tenant}/service-accounts});
 * its tenant administrators and platform administrators only. Errors: INVALID_SERVICE_ACCOUNT_NAME,
 * INVALID_ROLE, SERVICE_ACCOUNT_ALREADY_EXISTS, SERVICE_ACCOUNT_NOT_FOUND, TENANT_NOT_FOUND, FORBIDDEN.
 */
public interface ServiceAccountAdmin {
    /**
     * Creates an account with {@code role} ({@link ServiceAccount#TENANT_ADMIN} or {@link
     * ServiceAccount#MEMBER}); the answer carries its secret, which is never shown again.
     */
    CompletableFuture<ServiceAccountCredentials> createServiceAccount(String name, String role);

    /** Every account of the tenant (all pages), by id. */
    CompletableFuture<List<ServiceAccount>> listServiceAccounts();

    /** One page of at most {@code pageSize} accounts (1 to 1000) after {@code pageToken} (null: the first page). */
    CompletableFuture<Page<ServiceAccount>> listServiceAccounts(int pageSize, String pageToken);

    /** One account, by id ({@code sa-...}). */
    CompletableFuture<ServiceAccount> describeServiceAccount(String id);

    /**
     * Gives the account a new secret, returned here once; the old secret stops working at once
     * (tokens already issued with it stay valid until they expire).
     */
    CompletableFuture<ServiceAccountCredentials> rotateSecret(String id);

    /** Deletes the account; its tokens stop working. */
    CompletableFuture<Void> deleteServiceAccount(String id);
}
