package dev.tributary.client.internal.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tributary.client.TributaryException;
import dev.tributary.client.admin.Admin;
import dev.tributary.client.admin.NewTopic;
import dev.tributary.client.admin.TopicDescription;
import dev.tributary.client.internal.Connection;
import dev.tributary.client.internal.Errors;
import dev.tributary.client.internal.TokenSource;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * {@link Admin} over the REST control API, {@code /v1/tenants/{tenant}/topics}: JSON bodies,
 * {@code ETag} / {@code If-Match} for config changes, problem+json errors turned into {@link
 * TributaryException}s with the problem's {@code code}. Every request carries the connection's
 * bearer token; a 401 TOKEN_EXPIRED (a cached token that expired in flight, or a clock that runs
 * late) invalidates that token and sends the request once more with a fresh one.
 */
public final class RestAdmin implements Admin {
    /**
     * Topics per list request: the server's default page size. Each page is one read transaction on
     * the server, and transactions must stay well below the store's five-second limit.
     */
    static final int LIST_PAGE_SIZE = 100;
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    private static final String JSON_TYPE = "application/json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Connection connection;
    private final TokenSource tokens;

    public RestAdmin(Connection connection) {
        this(connection, connection.tokens());
    }

    /**
     * An admin client that authenticates with {@code tokens} instead of the connection's own token
     * source (a tool that manages tokens itself, or a test that hands over a token known to be expired).
     */
    public RestAdmin(Connection connection, TokenSource tokens) {
        this.connection = Objects.requireNonNull(connection, "connection");
        this.tokens = Objects.requireNonNull(tokens, "tokens");
    }

    /** The profile's tenant, else the tenant claim of this client's token. */
    @Override
    public CompletableFuture<String> tenant() {
        String configured = connection.profile().tenant();
        if (configured != null) {
            return CompletableFuture.completedFuture(configured);
        }
        return tokens.token().thenApply(Connection::tenantOf);
    }

    @Override
    public CompletableFuture<TopicDescription> createTopic(NewTopic topic) {
        Objects.requireNonNull(topic, "topic");
        ObjectNode body = JSON.createObjectNode();
        body.put("name", topic.name());
        body.put("partitions", topic.partitions());
        ObjectNode config = body.putObject("config");
        topic.config().forEach(config::put);
        return topicsPath().thenCompose(path -> send("POST", path, body, null, "create topic '" + topic.name() + "'"))
                .thenApply(RestAdmin::description);
    }

    @Override
    public CompletableFuture<List<TopicDescription>> listTopics() {
        return topicsPath().thenCompose(path -> listFrom(path, null, new ArrayList<>()));
    }

    /** Fetches the page after {@code pageToken} and, while the server names a next page, the ones after it. */
    private CompletableFuture<List<TopicDescription>> listFrom(String path, String pageToken, List<TopicDescription> collected) {
        String query = "?pageSize=" + LIST_PAGE_SIZE + (pageToken == null ? "" : "&pageToken=" + queryValue(pageToken));
        return send("GET", path + query, null, null, "list topics").thenCompose(response -> {
            JsonNode page = parse(response);
            for (JsonNode item : page.path("items")) {
                collected.add(description(item, null));
            }
            String next = page.path("nextPageToken").asText(null);
            if (next == null || next.isEmpty()) {
                return CompletableFuture.completedFuture(Collections.unmodifiableList(collected));
            }
            if (next.equals(pageToken)) {
                // A server that hands back the same token would page forever.
                throw new TributaryException(TributaryException.TRANSPORT, "list topics: the server returned the same page token twice");
            }
            return listFrom(path, next, collected);
        });
    }

    @Override
    public CompletableFuture<TopicDescription> describeTopic(String name) {
        return topicPath(name).thenCompose(path -> send("GET", path, null, null, "describe topic '" + name + "'"))
                .thenApply(RestAdmin::description);
    }

    @Override
    public CompletableFuture<TopicDescription> updateTopicConfig(String name, Map<String, String> set, Collection<String> reset,
            String ifMatch) {
        ObjectNode body = JSON.createObjectNode();
        ObjectNode setNode = body.putObject("set");
        if (set != null) {
            set.forEach(setNode::put);
        }
        ArrayNode resetNode = body.putArray("reset");
        if (reset != null) {
            reset.forEach(resetNode::add);
        }
        return topicPath(name).thenCompose(path -> send("PATCH", path, body, quotedEtag(ifMatch), "update topic '" + name + "'"))
                .thenApply(RestAdmin::description);
    }

    @Override
    public CompletableFuture<TopicDescription> addPartitions(String name, int partitions) {
        ObjectNode body = JSON.createObjectNode();
        body.put("count", partitions);
        return topicPath(name).thenCompose(path -> send("POST", path + "/partitions", body, null,
                "add partitions to topic '" + name + "'")).thenApply(RestAdmin::description);
    }

    @Override
    public CompletableFuture<Void> deleteTopic(String name) {
        return topicPath(name).thenCompose(path -> send("DELETE", path, null, null, "delete topic '" + name + "'"))
                .thenApply(response -> null);
    }

    private CompletableFuture<String> topicsPath() {
        return tenant().thenApply(tenant -> "/v1/tenants/" + pathSegment(tenant, "tenant") + "/topics");
    }

    private CompletableFuture<String> topicPath(String name) {
        // Checked before the tenant is resolved, so a bad name fails without a token request.
        String segment;
        try {
            segment = pathSegment(name, "topic name");
        } catch (TributaryException e) {
            return CompletableFuture.failedFuture(e);
        }
        return topicsPath().thenApply(path -> path + "/" + segment);
    }

    /**
     * Sends one request and completes with the response if it is a 2xx, else fails with the
     * problem's code. On 401 TOKEN_EXPIRED the token is invalidated and the request sent once more.
     */
    private CompletableFuture<HttpResponse<String>> send(String method, String path, JsonNode body, String ifMatch, String what) {
        return attempt(method, path, body, ifMatch, what, true);
    }

    private CompletableFuture<HttpResponse<String>> attempt(String method, String path, JsonNode body, String ifMatch, String what,
            boolean mayRetry) {
        if (connection.isClosed()) {
            return CompletableFuture.failedFuture(new TributaryException(TributaryException.CLOSED, "the client is closed"));
        }
        return tokens.token().thenCompose(token -> {
            HttpRequest request = request(method, path, body, ifMatch, token);
            return connection.http().sendAsync(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8))
                    .handle((response, failure) -> {
                        if (failure != null) {
                            throw transportFailure(failure, what, request);
                        }
                        return response;
                    })
                    .thenCompose(response -> {
                        if (response.statusCode() / 100 == 2) {
                            return CompletableFuture.completedFuture(response);
                        }
                        TributaryException problem = Errors.fromProblem(response, what);
                        if (mayRetry && response.statusCode() == 401 && "TOKEN_EXPIRED".equals(problem.code())) {
                            tokens.invalidate(token);
                            return attempt(method, path, body, ifMatch, what, false);
                        }
                        return CompletableFuture.failedFuture(problem);
                    });
        });
    }

    /** No answer from the server: TIMEOUT or TRANSPORT, naming the call and the cause. */
    private static TributaryException transportFailure(Throwable failure, String what, HttpRequest request) {
        Throwable cause = failure;
        while ((cause instanceof java.util.concurrent.CompletionException || cause instanceof java.util.concurrent.ExecutionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof TributaryException e) {
            return e;
        }
        String code = cause instanceof java.net.http.HttpTimeoutException ? TributaryException.TIMEOUT : TributaryException.TRANSPORT;
        String reason = cause.getMessage() == null ? cause.getClass().getSimpleName()
                : cause.getClass().getSimpleName() + ": " + cause.getMessage();
        return new TributaryException(code, what + " (" + request.method() + " " + request.uri() + "): " + reason, true, null, null,
                cause);
    }

    private HttpRequest request(String method, String path, JsonNode body, String ifMatch, String token) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(endpointRoot() + path))
                .timeout(REQUEST_TIMEOUT)
                .header("Authorization", "Bearer " + token)
                .header("Accept", JSON_TYPE + ", application/problem+json");
        if (ifMatch != null) {
            builder.header("If-Match", ifMatch);
        }
        if (body == null) {
            builder.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            try {
                builder.header("Content-Type", JSON_TYPE)
                        .method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body), StandardCharsets.UTF_8));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("a JSON tree always serializes", e);
            }
        }
        return builder.build();
    }

    /** {@code https://host:port} without a trailing slash: the profile's endpoint may carry one. */
    private String endpointRoot() {
        String root = connection.endpoint().toString();
        while (root.endsWith("/")) {
            root = root.substring(0, root.length() - 1);
        }
        return root;
    }

    private static TopicDescription description(HttpResponse<String> response) {
        return description(parse(response), response.headers().firstValue("ETag").orElse(null));
    }

    private static TopicDescription description(JsonNode view, String etag) {
        List<TopicDescription.PartitionOffsets> offsets = new ArrayList<>();
        for (JsonNode p : view.path("partitionOffsets")) {
            offsets.add(new TopicDescription.PartitionOffsets(p.path("partition").asInt(), p.path("logStartOffset").asLong(),
                    p.path("highWatermark").asLong()));
        }
        return new TopicDescription(view.path("name").asText(), view.path("id").asText(null), view.path("partitions").asInt(),
                stringMap(view.path("config")), stringMap(view.path("effectiveConfig")), instant(view.get("createdAt")),
                List.copyOf(offsets), etag);
    }

    private static Map<String, String> stringMap(JsonNode object) {
        Map<String, String> map = new TreeMap<>();
        for (Map.Entry<String, JsonNode> e : object.properties()) {
            map.put(e.getKey(), e.getValue().isNull() ? null : e.getValue().asText());
        }
        return Collections.unmodifiableMap(map);
    }

    /** The server writes ISO-8601 instants; Jackson's numeric form (seconds with a fraction) is read too. */
    private static Instant instant(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isNumber()) {
            BigDecimal seconds = node.decimalValue();
            return Instant.ofEpochSecond(seconds.longValue(), seconds.remainder(BigDecimal.ONE).movePointRight(9).longValue());
        }
        try {
            return Instant.parse(node.asText());
        } catch (DateTimeParseException e) {
            throw new TributaryException(TributaryException.TRANSPORT, "unreadable createdAt '" + node.asText() + "'", e);
        }
    }

    private static JsonNode parse(HttpResponse<String> response) {
        try {
            JsonNode node = JSON.readTree(response.body());
            if (node == null || !node.isObject()) {
                throw new TributaryException(TributaryException.TRANSPORT, "expected a JSON object from " + response.uri() + ", got: "
                        + abbreviate(response.body()));
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new TributaryException(TributaryException.TRANSPORT, "malformed JSON from " + response.uri() + ": "
                    + e.getOriginalMessage(), e);
        }
    }

    private static String abbreviate(String s) {
        return s == null ? "nothing" : s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }

    /**
     * An etag as {@code If-Match} needs it: the quoted form the server sends ({@code "..."}); a bare
     * value typed by hand is quoted, {@code *} and weak etags pass unchanged.
     */
    static String quotedEtag(String etag) {
        if (etag == null) {
            return null;
        }
        String e = etag.trim();
        if (e.isEmpty() || e.equals("*") || e.startsWith("\"") || e.startsWith("W/")) {
            return e.isEmpty() ? null : e;
        }
        return "\"" + e + "\"";
    }

    /**
     * A name as one URL path segment, percent-encoded. Empty, "." and ".." are refused here: in a
     * path they would address another resource, not a topic of that name.
     */
    static String pathSegment(String name, String what) {
        if (name == null || name.isEmpty() || name.equals(".") || name.equals("..")) {
            String code = what.equals("tenant") ? "INVALID_TENANT_ID" : "INVALID_TOPIC_NAME";
            throw new TributaryException(code, "invalid " + what + " '" + name + "'");
        }
        StringBuilder out = new StringBuilder(name.length());
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_'
                    || c == '~') {
                out.append(c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit((b >> 4) & 0xf, 16)))
                        .append(Character.toUpperCase(Character.forDigit(b & 0xf, 16)));
            }
        }
        return out.toString();
    }

    /** A query parameter value; page tokens are base64url today, encoded anyway since they are opaque. */
    private static String queryValue(String value) {
        return java.net.URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
