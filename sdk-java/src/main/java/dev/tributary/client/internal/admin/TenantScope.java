package dev.tributary.client.internal.admin;

import dev.tributary.client.TributaryException;
import dev.tributary.client.internal.Connection;
import java.util.concurrent.CompletableFuture;

/**
 * The tenant an admin client addresses and the paths under it ({@code /v1/tenants/{tenant}/...}):
 * a tenant named explicitly ({@code forTenant}), else the profile's, else the one in the caller's token.
 */
final class TenantScope {
    private final RestCalls calls;
    private final String explicitTenant;

    TenantScope(RestCalls calls, String explicitTenant) {
        this.calls = calls;
        this.explicitTenant = explicitTenant;
    }

    CompletableFuture<String> tenant() {
        if (explicitTenant != null) {
            return CompletableFuture.completedFuture(explicitTenant);
        }
        String configured = calls.connection().profile().tenant();
        if (configured != null) {
            return CompletableFuture.completedFuture(configured);
        }
        return calls.tokens().token().thenApply(Connection::tenantOf);
    }

    /** {@code /v1/tenants/{tenant}/{collection}}; {@code collection} empty: the tenant itself. */
    CompletableFuture<String> path(String collection) {
        return tenant().thenApply(tenant -> "/v1/tenants/" + RestCalls.pathSegment(tenant, "tenant", "INVALID_TENANT_ID")
                + (collection.isEmpty() ? "" : "/" + collection));
    }

    /**
     * {@code /v1/tenants/{tenant}/{collection}/{name}}. The name is checked before the tenant is
     * resolved, so that a bad name fails with {@code invalidCode} without a token request.
     */
    CompletableFuture<String> path(String collection, String name, String what, String invalidCode) {
        String segment;
        try {
            segment = RestCalls.pathSegment(name, what, invalidCode);
        } catch (TributaryException e) {
            return CompletableFuture.failedFuture(e);
        }
        return path(collection).thenApply(path -> path + "/" + segment);
    }
}
