package dev.tributary.client.internal.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tributary.client.TopicPartition;
import dev.tributary.client.admin.ConsumerGroupDescription;
import dev.tributary.client.admin.ConsumerGroupListing;
import dev.tributary.client.admin.GroupOffset;
import dev.tributary.client.admin.OffsetReset;
import dev.tributary.client.admin.Page;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/** Consumer groups of a tenant: {@code /v1/tenants/{tenant}/groups}. */
final class RestGroups {
    private static final String COLLECTION = "groups";
    private static final String INVALID = "INVALID_GROUP_ID";

    private final RestCalls calls;
    private final TenantScope scope;

    RestGroups(RestCalls calls, TenantScope scope) {
        this.calls = calls;
        this.scope = scope;
    }

    CompletableFuture<List<ConsumerGroupListing>> listGroups() {
        return scope.path(COLLECTION).thenCompose(path -> calls.listAll(path, "", RestGroups::listing, "list groups"));
    }

    CompletableFuture<Page<ConsumerGroupListing>> listGroups(int pageSize, String pageToken) {
        return scope.path(COLLECTION).thenCompose(path -> calls.page(path, "", pageSize, pageToken, RestGroups::listing, "list groups"));
    }

    CompletableFuture<ConsumerGroupDescription> describeGroup(String groupId) {
        return scope.path(COLLECTION, groupId, "group id", INVALID)
                .thenCompose(path -> calls.sendForObject("GET", path, null, null, "describe group '" + groupId + "'"))
                .thenApply(RestGroups::description);
    }

    CompletableFuture<List<GroupOffset>> resetOffsets(String groupId, OffsetReset reset) {
        Objects.requireNonNull(reset, "reset");
        ObjectNode body = RestCalls.JSON.createObjectNode();
        body.put("to", reset.to());
        if (reset.timestampMs() != null) {
            body.put("timestamp", reset.timestampMs().longValue());
        }
        if (!reset.topics().isEmpty()) {
            ArrayNode topics = body.putArray("topics");
            reset.topics().forEach(topics::add);
        }
        return scope.path(COLLECTION, groupId, "group id", INVALID)
                .thenCompose(path -> calls.send("POST", path + "/offsets:reset", body, null,
                        "reset the offsets of group '" + groupId + "'"))
                .thenApply(response -> {
                    // The new offsets: a list, or an object holding it as "offsets".
                    JsonNode node = RestCalls.parseAny(response);
                    return offsets(node.isArray() ? node : node.path("offsets"));
                });
    }

    CompletableFuture<Void> deleteGroup(String groupId) {
        return scope.path(COLLECTION, groupId, "group id", INVALID)
                .thenCompose(path -> calls.sendForNothing("DELETE", path, "delete group '" + groupId + "'"));
    }

    private static ConsumerGroupListing listing(JsonNode node) {
        return new ConsumerGroupListing(RestCalls.text(node, "groupId"), RestCalls.text(node, "state"), node.path("members").asInt());
    }

    private static ConsumerGroupDescription description(JsonNode node) {
        List<ConsumerGroupDescription.Member> members = new ArrayList<>();
        for (JsonNode m : node.path("members")) {
            List<TopicPartition> assignments = new ArrayList<>();
            for (JsonNode a : m.path("assignments")) {
                assignments.add(new TopicPartition(a.path("topic").asText(), a.path("partition").asInt()));
            }
            members.add(new ConsumerGroupDescription.Member(RestCalls.text(m, "memberId"), RestCalls.text(m, "clientId"), assignments));
        }
        return new ConsumerGroupDescription(RestCalls.text(node, "groupId"), RestCalls.text(node, "state"), node.path("generation").asInt(),
                members, offsets(node.path("offsets")));
    }

    private static List<GroupOffset> offsets(JsonNode array) {
        List<GroupOffset> offsets = new ArrayList<>();
        for (JsonNode o : array) {
            long committed = o.has("committedOffset") ? RestCalls.longOr(o, "committedOffset", -1) : RestCalls.longOr(o, "offset", -1);
            offsets.add(new GroupOffset(o.path("topic").asText(), o.path("partition").asInt(), committed,
                    RestCalls.longOr(o, "logEndOffset", -1), RestCalls.longOr(o, "lag", -1)));
        }
        return List.copyOf(offsets);
    }
}
