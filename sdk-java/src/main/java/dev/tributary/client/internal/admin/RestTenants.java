package dev.tributary.client.internal.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tributary.client.TributaryException;
import dev.tributary.client.admin.Page;
import dev.tributary.client.admin.Tenant;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Tenants: {@code /v1/tenants}. */
final class RestTenants {
    private static final String INVALID = "INVALID_TENANT_ID";

    private final RestCalls calls;

    RestTenants(RestCalls calls) {
        this.calls = calls;
    }

    CompletableFuture<Tenant> createTenant(String id) {
        ObjectNode body = RestCalls.JSON.createObjectNode();
        body.put("id", id);
        return calls.sendForObject("POST", "/v1/tenants", body, null, "create tenant '" + id + "'").thenApply(RestTenants::tenant);
    }

    CompletableFuture<List<Tenant>> listTenants() {
        return calls.listAll("/v1/tenants", "", RestTenants::tenant, "list tenants");
    }

    CompletableFuture<Page<Tenant>> listTenants(int pageSize, String pageToken) {
        return calls.page("/v1/tenants", "", pageSize, pageToken, RestTenants::tenant, "list tenants");
    }

    CompletableFuture<Tenant> describeTenant(String id) {
        return path(id).thenCompose(path -> calls.sendForObject("GET", path, null, null, "describe tenant '" + id + "'"))
                .thenApply(RestTenants::tenant);
    }

    CompletableFuture<Void> deleteTenant(String id) {
        return path(id).thenCompose(path -> calls.sendForNothing("DELETE", path, "delete tenant '" + id + "'"));
    }

    private static CompletableFuture<String> path(String id) {
        try {
            return CompletableFuture.completedFuture("/v1/tenants/" + RestCalls.pathSegment(id, "tenant", INVALID));
        } catch (TributaryException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private static Tenant tenant(JsonNode node) {
        return new Tenant(RestCalls.text(node, "id"), RestCalls.instant(node, "createdAt"));
    }
}
