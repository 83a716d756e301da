package dev.tributary.client.internal.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tributary.client.admin.IdentityPool;
import dev.tributary.client.admin.Page;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/** Identity pools of a tenant: {@code /v1/tenants/{tenant}/identity-pools}, replaced with optional {@code If-Match}. */
final class RestIdentityPools {
    private static final String COLLECTION = "identity-pools";
    private static final String INVALID = "INVALID_IDENTITY_POOL";

    private final RestCalls calls;
    private final TenantScope scope;

    RestIdentityPools(RestCalls calls, TenantScope scope) {
        this.calls = calls;
        this.scope = scope;
    }

    CompletableFuture<IdentityPool> createIdentityPool(IdentityPool pool) {
        Objects.requireNonNull(pool, "pool");
        return scope.path(COLLECTION).thenCompose(path -> calls.send("POST", path, body(pool), null,
                "create identity pool '" + pool.name() + "'")).thenApply(RestIdentityPools::pool);
    }

    CompletableFuture<List<IdentityPool>> listIdentityPools() {
        return scope.path(COLLECTION).thenCompose(path -> calls.listAll(path, "", node -> pool(node, null), "list identity pools"));
    }

    CompletableFuture<Page<IdentityPool>> listIdentityPools(int pageSize, String pageToken) {
        return scope.path(COLLECTION).thenCompose(path -> calls.page(path, "", pageSize, pageToken, node -> pool(node, null),
                "list identity pools"));
    }

    CompletableFuture<IdentityPool> describeIdentityPool(String name) {
        return scope.path(COLLECTION, name, "identity pool name", INVALID)
                .thenCompose(path -> calls.send("GET", path, null, null, "describe identity pool '" + name + "'"))
                .thenApply(RestIdentityPools::pool);
    }

    CompletableFuture<IdentityPool> replaceIdentityPool(IdentityPool pool, String ifMatch) {
        Objects.requireNonNull(pool, "pool");
        return scope.path(COLLECTION, pool.name(), "identity pool name", INVALID)
                .thenCompose(path -> calls.send("PUT", path, body(pool), RestCalls.quotedEtag(ifMatch),
                        "replace identity pool '" + pool.name() + "'"))
                .thenApply(RestIdentityPools::pool);
    }

    CompletableFuture<Void> deleteIdentityPool(String name) {
        return scope.path(COLLECTION, name, "identity pool name", INVALID)
                .thenCompose(path -> calls.sendForNothing("DELETE", path, "delete identity pool '" + name + "'"));
    }

    private static ObjectNode body(IdentityPool pool) {
        ObjectNode body = RestCalls.JSON.createObjectNode();
        body.put("name", pool.name());
        body.put("issuer", pool.issuer());
        body.put("audience", pool.audience());
        body.put("principalClaim", pool.principalClaim());
        body.put("adminClaim", pool.adminClaim());
        ArrayNode values = body.putArray("adminValues");
        pool.adminValues().forEach(values::add);
        body.put("jwksUri", pool.jwksUri());
        body.put("issuerCaPem", pool.issuerCaPem());
        return body;
    }

    private static IdentityPool pool(HttpResponse<String> response) {
        return pool(RestCalls.parse(response), RestCalls.etag(response));
    }

    private static IdentityPool pool(JsonNode node, String etag) {
        List<String> adminValues = new ArrayList<>();
        for (JsonNode v : node.path("adminValues")) {
            adminValues.add(v.asText());
        }
        // The pool's id is its name; either member names it.
        String name = RestCalls.text(node, "name");
        return new IdentityPool(name == null ? RestCalls.text(node, "id") : name, RestCalls.text(node, "issuer"),
                RestCalls.text(node, "audience"), RestCalls.text(node, "principalClaim"), RestCalls.text(node, "adminClaim"), adminValues,
                RestCalls.text(node, "jwksUri"), RestCalls.text(node, "issuerCaPem"), etag);
    }
}
