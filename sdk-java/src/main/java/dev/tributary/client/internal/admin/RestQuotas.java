package dev.tributary.client.internal.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tributary.client.admin.QuotaLimits;
import dev.tributary.client.admin.QuotaUsage;
import dev.tributary.client.admin.TenantQuota;
import java.net.http.HttpResponse;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/** The quota of a tenant: {@code /v1/tenants/{tenant}/quota}, {@code ETag} / {@code If-Match}. */
final class RestQuotas {
    private static final String RESOURCE = "quota";

    private final RestCalls calls;
    private final TenantScope scope;

    RestQuotas(RestCalls calls, TenantScope scope) {
        this.calls = calls;
        this.scope = scope;
    }

    CompletableFuture<TenantQuota> describeQuota() {
        return scope.path(RESOURCE).thenCompose(path -> calls.send("GET", path, null, null, "describe quota")).thenApply(RestQuotas::quota);
    }

    CompletableFuture<TenantQuota> setQuota(QuotaLimits limits, String ifMatch) {
        Objects.requireNonNull(limits, "limits");
        ObjectNode body = RestCalls.JSON.createObjectNode();
        // Every field is sent, null included: the PUT replaces the limits, and null means unlimited.
        putLimit(body, "produceBytesPerSecond", limits.produceBytesPerSecond());
        putLimit(body, "fetchBytesPerSecond", limits.fetchBytesPerSecond());
        putLimit(body, "requestsPerSecond", limits.requestsPerSecond());
        putLimit(body, "storageBytes", limits.storageBytes());
        putLimit(body, "topics", limits.topics());
        putLimit(body, "partitions", limits.partitions());
        putLimit(body, "connections", limits.connections());
        return scope.path(RESOURCE).thenCompose(path -> calls.send("PUT", path, body, RestCalls.quotedEtag(ifMatch), "set quota"))
                .thenApply(RestQuotas::quota);
    }

    CompletableFuture<Void> resetQuota() {
        return scope.path(RESOURCE).thenCompose(path -> calls.sendForNothing("DELETE", path, "reset quota"));
    }

    private static void putLimit(ObjectNode body, String field, Long value) {
        if (value == null) {
            body.putNull(field);
        } else {
            body.put(field, value.longValue());
        }
    }

    private static TenantQuota quota(HttpResponse<String> response) {
        JsonNode node = RestCalls.parse(response);
        JsonNode l = node.path("limits");
        QuotaLimits limits = new QuotaLimits(RestCalls.optionalLong(l, "produceBytesPerSecond"), RestCalls.optionalLong(l,
                "fetchBytesPerSecond"), RestCalls.optionalLong(l, "requestsPerSecond"), RestCalls.optionalLong(l, "storageBytes"),
                RestCalls.optionalLong(l, "topics"), RestCalls.optionalLong(l, "partitions"), RestCalls.optionalLong(l, "connections"));
        JsonNode u = node.path("usage");
        QuotaUsage usage = new QuotaUsage(u.path("topics").asLong(), u.path("partitions").asLong(), u.path("storageBytes").asLong(),
                u.path("connections").asLong(), u.path("produceBytesPerSecond").asDouble(), u.path("fetchBytesPerSecond").asDouble(),
                u.path("requestsPerSecond").asDouble());
        return new TenantQuota(limits, usage, RestCalls.etag(response));
    }
}
