package dev.tributary.client.internal.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tributary.client.TributaryException;
import dev.tributary.client.admin.AclBinding;
import dev.tributary.client.admin.AclFilter;
import dev.tributary.client.admin.AclOperation;
import dev.tributary.client.admin.AclPatternType;
import dev.tributary.client.admin.AclPermission;
import dev.tributary.client.admin.AclResourceType;
import dev.tributary.client.admin.NewAcl;
import dev.tributary.client.admin.Page;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/** ACL bindings of a tenant: {@code /v1/tenants/{tenant}/acls}. */
final class RestAcls {
    private static final String COLLECTION = "acls";
    private static final String INVALID = "ACL_NOT_FOUND";

    private final RestCalls calls;
    private final TenantScope scope;

    RestAcls(RestCalls calls, TenantScope scope) {
        this.calls = calls;
        this.scope = scope;
    }

    CompletableFuture<AclBinding> createAcl(NewAcl acl) {
        Objects.requireNonNull(acl, "acl");
        if (acl.operation() == AclOperation.UNKNOWN || acl.resourceType() == AclResourceType.UNKNOWN
                || acl.patternType() == AclPatternType.UNKNOWN || acl.permission() == AclPermission.UNKNOWN) {
            // UNKNOWN stands for a value read from a newer server; it has no wire name to send.
            return CompletableFuture.failedFuture(new TributaryException("INVALID_ACL", "create ACL: UNKNOWN is not a value to send: "
                    + acl));
        }
        ObjectNode body = RestCalls.JSON.createObjectNode();
        body.put("principal", acl.principal());
        body.put("operation", acl.operation().wireName());
        body.put("resourceType", acl.resourceType().wireName());
        body.put("patternType", acl.patternType().wireName());
        body.put("resourceName", acl.resourceName());
        body.put("permission", acl.permission().wireName());
        return scope.path(COLLECTION).thenCompose(path -> calls.sendForObject("POST", path, body, null, "create ACL " + describe(acl)))
                .thenApply(RestAcls::binding);
    }

    CompletableFuture<List<AclBinding>> listAcls(AclFilter filter) {
        String query = query(filter);
        return scope.path(COLLECTION).thenCompose(path -> calls.listAll(path, query, RestAcls::binding, "list ACLs"));
    }

    CompletableFuture<Page<AclBinding>> listAcls(AclFilter filter, int pageSize, String pageToken) {
        String query = query(filter);
        return scope.path(COLLECTION).thenCompose(path -> calls.page(path, query, pageSize, pageToken, RestAcls::binding, "list ACLs"));
    }

    CompletableFuture<AclBinding> describeAcl(String id) {
        return scope.path(COLLECTION, id, "ACL id", INVALID)
                .thenCompose(path -> calls.sendForObject("GET", path, null, null, "describe ACL '" + id + "'"))
                .thenApply(RestAcls::binding);
    }

    CompletableFuture<Void> deleteAcl(String id) {
        return scope.path(COLLECTION, id, "ACL id", INVALID).thenCompose(path -> calls.sendForNothing("DELETE", path,
                "delete ACL '" + id + "'"));
    }

    private static String query(AclFilter filter) {
        AclFilter f = filter == null ? AclFilter.ANY : filter;
        StringBuilder q = new StringBuilder();
        if (f.principal() != null) {
            q.append("principal=").append(RestCalls.queryValue(f.principal()));
        }
        if (f.resourceType() != null) {
            q.append(q.length() == 0 ? "" : "&").append("resourceType=").append(RestCalls.queryValue(f.resourceType().wireName()));
        }
        if (f.resourceName() != null) {
            q.append(q.length() == 0 ? "" : "&").append("resourceName=").append(RestCalls.queryValue(f.resourceName()));
        }
        return q.toString();
    }

    private static String describe(NewAcl acl) {
        return acl.permission().wireName() + " " + acl.principal() + " " + acl.operation().wireName() + " on " + acl.resourceType()
                .wireName() + " " + (acl.patternType() == AclPatternType.PREFIXED ? "prefix '" : "'") + acl.resourceName() + "'";
    }

    private static AclBinding binding(JsonNode node) {
        return new AclBinding(RestCalls.text(node, "id"), RestCalls.text(node, "principal"),
                AclOperation.fromWire(RestCalls.text(node, "operation")), AclResourceType.fromWire(RestCalls.text(node, "resourceType")),
                AclPatternType.fromWire(RestCalls.text(node, "patternType")), RestCalls.text(node, "resourceName"),
                AclPermission.fromWire(RestCalls.text(node, "permission")));
    }
}
