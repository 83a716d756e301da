package dev.tributary.client.internal.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tributary.client.TributaryException;
import dev.tributary.client.admin.Page;
import dev.tributary.client.admin.ServiceAccount;
import dev.tributary.client.admin.ServiceAccountCredentials;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Service accounts of a tenant: {@code /v1/tenants/{tenant}/service-accounts}. */
final class RestServiceAccounts {
    private static final String COLLECTION = "service-accounts";
    /** What an id that cannot address an account ("", ".", "..") fails with: there is no such account. */
    private static final String INVALID = "SERVICE_ACCOUNT_NOT_FOUND";

    private final RestCalls calls;
    private final TenantScope scope;

    RestServiceAccounts(RestCalls calls, TenantScope scope) {
        this.calls = calls;
        this.scope = scope;
    }

    CompletableFuture<ServiceAccountCredentials> createServiceAccount(String name, String role) {
        ObjectNode body = RestCalls.JSON.createObjectNode();
        body.put("name", name);
        body.put("role", role);
        String what = "create service account '" + name + "'";
        return scope.path(COLLECTION).thenCompose(path -> calls.sendForObject("POST", path, body, null, what))
                .thenApply(node -> credentials(node, what));
    }

    CompletableFuture<List<ServiceAccount>> listServiceAccounts() {
        return scope.path(COLLECTION).thenCompose(path -> calls.listAll(path, "", RestServiceAccounts::account, "list service accounts"));
    }

    CompletableFuture<Page<ServiceAccount>> listServiceAccounts(int pageSize, String pageToken) {
        return scope.path(COLLECTION).thenCompose(path -> calls.page(path, "", pageSize, pageToken, RestServiceAccounts::account,
                "list service accounts"));
    }

    CompletableFuture<ServiceAccount> describeServiceAccount(String id) {
        return scope.path(COLLECTION, id, "service account id", INVALID)
                .thenCompose(path -> calls.sendForObject("GET", path, null, null, "describe service account '" + id + "'"))
                .thenApply(RestServiceAccounts::account);
    }

    CompletableFuture<ServiceAccountCredentials> rotateSecret(String id) {
        String what = "rotate the secret of service account '" + id + "'";
        return scope.path(COLLECTION, id, "service account id", INVALID)
                .thenCompose(path -> calls.sendForObject("POST", path + "/rotate-secret", null, null, what))
                .thenApply(node -> credentials(node, what));
    }

    CompletableFuture<Void> deleteServiceAccount(String id) {
        return scope.path(COLLECTION, id, "service account id", INVALID)
                .thenCompose(path -> calls.sendForNothing("DELETE", path, "delete service account '" + id + "'"));
    }

    private static ServiceAccount account(JsonNode node) {
        String id = RestCalls.text(node, "id");
        String clientId = RestCalls.text(node, "clientId");
        return new ServiceAccount(id, clientId == null ? id : clientId, RestCalls.text(node, "tenant"), RestCalls.text(node, "name"),
                RestCalls.text(node, "role"), RestCalls.instant(node, "createdAt"), RestCalls.instant(node, "secretRotatedAt"));
    }

    private static ServiceAccountCredentials credentials(JsonNode node, String what) {
        String secret = RestCalls.text(node, "clientSecret");
        if (secret == null) {
            throw new TributaryException(TributaryException.TRANSPORT, what + ": the answer carries no clientSecret");
        }
        return new ServiceAccountCredentials(account(node), secret);
    }
}
