package dev.tributary.client.internal.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tributary.client.admin.NewTopic;
import dev.tributary.client.admin.TopicDescription;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/** Topics of a tenant: {@code /v1/tenants/{tenant}/topics}, {@code ETag} / {@code If-Match} for config changes. */
final class RestTopics {
    private static final String INVALID = "INVALID_TOPIC_NAME";

    private final RestCalls calls;
    private final TenantScope scope;

    RestTopics(RestCalls calls, TenantScope scope) {
        this.calls = calls;
        this.scope = scope;
    }

    CompletableFuture<TopicDescription> createTopic(NewTopic topic) {
        Objects.requireNonNull(topic, "topic");
        ObjectNode body = RestCalls.JSON.createObjectNode();
        body.put("name", topic.name());
        body.put("partitions", topic.partitions());
        ObjectNode config = body.putObject("config");
        topic.config().forEach(config::put);
        return scope.path("topics").thenCompose(path -> calls.send("POST", path, body, null, "create topic '" + topic.name() + "'"))
                .thenApply(RestTopics::description);
    }

    CompletableFuture<List<TopicDescription>> listTopics() {
        return scope.path("topics").thenCompose(path -> calls.listAll(path, "", item -> description(item, null), "list topics"));
    }

    CompletableFuture<TopicDescription> describeTopic(String name) {
        return scope.path("topics", name, "topic name", INVALID)
                .thenCompose(path -> calls.send("GET", path, null, null, "describe topic '" + name + "'"))
                .thenApply(RestTopics::description);
    }

    CompletableFuture<TopicDescription> updateTopicConfig(String name, Map<String, String> set, Collection<String> reset, String ifMatch) {
        ObjectNode body = RestCalls.JSON.createObjectNode();
        ObjectNode setNode = body.putObject("set");
        if (set != null) {
            set.forEach(setNode::put);
        }
        ArrayNode resetNode = body.putArray("reset");
        if (reset != null) {
            reset.forEach(resetNode::add);
        }
        return scope.path("topics", name, "topic name", INVALID)
                .thenCompose(path -> calls.send("PATCH", path, body, RestCalls.quotedEtag(ifMatch), "update topic '" + name + "'"))
                .thenApply(RestTopics::description);
    }

    CompletableFuture<TopicDescription> addPartitions(String name, int partitions) {
        ObjectNode body = RestCalls.JSON.createObjectNode();
        body.put("count", partitions);
        return scope.path("topics", name, "topic name", INVALID).thenCompose(path -> calls.send("POST", path + "/partitions", body, null,
                "add partitions to topic '" + name + "'")).thenApply(RestTopics::description);
    }

    CompletableFuture<Void> deleteTopic(String name) {
        return scope.path("topics", name, "topic name", INVALID)
                .thenCompose(path -> calls.sendForNothing("DELETE", path, "delete topic '" + name + "'"));
    }

    private static TopicDescription description(HttpResponse<String> response) {
        return description(RestCalls.parse(response), RestCalls.etag(response));
    }

    private static TopicDescription description(JsonNode view, String etag) {
        List<TopicDescription.PartitionOffsets> offsets = new ArrayList<>();
        for (JsonNode p : view.path("partitionOffsets")) {
            offsets.add(new TopicDescription.PartitionOffsets(p.path("partition").asInt(), p.path("logStartOffset").asLong(),
                    p.path("highWatermark").asLong()));
        }
        return new TopicDescription(view.path("name").asText(), RestCalls.text(view, "id"), view.path("partitions").asInt(),
                stringMap(view.path("config")), stringMap(view.path("effectiveConfig")), RestCalls.instant(view, "createdAt"),
                List.copyOf(offsets), etag);
    }

    private static Map<String, String> stringMap(JsonNode object) {
        Map<String, String> map = new TreeMap<>();
        for (Map.Entry<String, JsonNode> e : object.properties()) {
            map.put(e.getKey(), e.getValue().isNull() ? null : e.getValue().asText());
        }
        return Collections.unmodifiableMap(map);
    }
}
