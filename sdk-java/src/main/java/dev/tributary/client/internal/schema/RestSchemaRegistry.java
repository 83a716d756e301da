package dev.tributary.client.internal.schema;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tributary.client.TributaryException;
import dev.tributary.client.internal.Connection;
import dev.tributary.client.internal.Errors;
import dev.tributary.client.internal.TokenSource;
import dev.tributary.client.schema.SchemaRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@link SchemaRegistry} over the registry's REST API with the connection's HTTP client (its TLS
 * trust) and tokens. A 401 TOKEN_EXPIRED invalidates the token and sends the request once more.
 */
public final class RestSchemaRegistry implements SchemaRegistry {
    static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    private final HttpClient http;
    private final TokenSource tokens;
    private final String base;
    private final Map<Integer, String> schemasById = new ConcurrentHashMap<>();
    /** subject -> schema text -> id: what register and lookup answered. */
    private final Map<String, Map<String, Integer>> idsBySubject = new ConcurrentHashMap<>();
    private final Map<String, RegisteredSchema> latest = new ConcurrentHashMap<>();
    private final AtomicLong requests = new AtomicLong();

    public RestSchemaRegistry(Connection connection) {
        this(connection.http(), connection.tokens(), connection.profile().schemaRegistryUrl());
    }

    public RestSchemaRegistry(HttpClient http, TokenSource tokens, URI baseUrl) {
        this.http = http;
        this.tokens = tokens;
        String b = baseUrl.toString();
        while (b.endsWith("/")) {
            b = b.substring(0, b.length() - 1);
        }
        this.base = b;
    }

    /** HTTP requests sent so far (what the caches save shows here). */
    public long requestCount() {
        return requests.get();
    }

    @Override
    public int register(String subject, String schema) {
        Integer cached = idsBySubject.getOrDefault(subject, Map.of()).get(schema);
        if (cached != null) {
            return cached;
        }
        ObjectNode body = JSON.createObjectNode().put("schema", schema);
        JsonNode answer = call("POST", "/subjects/" + segment(subject) + "/versions", body, "register a schema under '" + subject + "'");
        int id = requiredInt(answer, "id");
        remember(subject, schema, id);
        return id;
    }

    @Override
    public RegisteredSchema lookup(String subject, String schema) {
        ObjectNode body = JSON.createObjectNode().put("schema", schema);
        JsonNode answer = call("POST", "/subjects/" + segment(subject), body, "look up a schema under '" + subject + "'");
        RegisteredSchema found = registered(answer, subject);
        remember(subject, schema, found.id());
        return found;
    }

    @Override
    public String schemaById(int id) {
        String cached = schemasById.get(id);
        if (cached != null) {
            return cached;
        }
        JsonNode answer = call("GET", "/schemas/ids/" + id, null, "fetch schema " + id);
        String type = answer.path("schemaType").asText(AVRO);
        if (!AVRO.equals(type)) {
            throw new TributaryException(TributaryException.SERIALIZATION, "schema " + id + " is " + type + ", not " + AVRO);
        }
        String schema = requiredText(answer, "schema");
        schemasById.put(id, schema);
        return schema;
    }

    @Override
    public RegisteredSchema latest(String subject, boolean refresh) {
        if (!refresh) {
            RegisteredSchema cached = latest.get(subject);
            if (cached != null) {
                return cached;
            }
        }
        JsonNode answer = call("GET", "/subjects/" + segment(subject) + "/versions/latest", null, "fetch the latest version of '"
                + subject + "'");
        RegisteredSchema found = registered(answer, subject);
        schemasById.putIfAbsent(found.id(), found.schema());
        latest.put(subject, found);
        return found;
    }

    private void remember(String subject, String schema, int id) {
        idsBySubject.computeIfAbsent(subject, s -> new ConcurrentHashMap<>()).put(schema, id);
        schemasById.putIfAbsent(id, schema);
    }

    private static RegisteredSchema registered(JsonNode answer, String subject) {
        return new RegisteredSchema(answer.path("subject").asText(subject), requiredInt(answer, "version"), requiredInt(answer, "id"),
                requiredText(answer, "schema"));
    }

    private JsonNode call(String method, String path, JsonNode body, String what) {
        String token = token();
        HttpResponse<String> response = send(method, path, body, token, what);
        if (response.statusCode() == 401) {
            TributaryException problem = Errors.fromProblem(response, what);
            if ("TOKEN_EXPIRED".equals(problem.code())) {
                tokens.invalidate(token);
                response = send(method, path, body, token(), what);
            }
        }
        if (response.statusCode() / 100 != 2) {
            throw failure(response.statusCode(), response.body(), what, response);
        }
        try {
            JsonNode node = JSON.readTree(response.body());
            if (node == null || !node.isObject()) {
                throw new TributaryException(TributaryException.TRANSPORT, what + ": expected a JSON object, got " + abbreviate(response.body()));
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new TributaryException(TributaryException.TRANSPORT, what + ": malformed JSON from the registry: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * The exception for a refusal: the registry's {@code {"error_code", "message"}} as {@code
     * SCHEMA_REGISTRY}; anything else (the listener's problem+json for 401) as the REST client reads it.
     */
    static TributaryException failure(int status, String body, String what, HttpResponse<String> response) {
        try {
            JsonNode node = JSON.readTree(body == null ? "" : body);
            if (node != null && node.isObject() && node.path("error_code").isInt()) {
                int errorCode = node.get("error_code").asInt();
                return new TributaryException(TributaryException.SCHEMA_REGISTRY, what + ": " + node.path("message").asText("") + " (error_code "
                        + errorCode + ")", status / 100 == 5, null, Map.of("error_code", Integer.toString(errorCode), "http_status",
                        Integer.toString(status)), null);
            }
        } catch (JsonProcessingException ignored) {
            // Not the registry's JSON: fall through to the generic reading.
        }
        if (response != null) {
            return Errors.fromProblem(response, what);
        }
        return new TributaryException("HTTP_" + status, what + ": " + abbreviate(body), false, null, Map.of("http_status",
                Integer.toString(status)), null);
    }

    private String token() {
        try {
            return tokens.token().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TributaryException(TributaryException.INTERRUPTED, "interrupted while fetching a token", e);
        } catch (ExecutionException e) {
            throw Errors.translate(e);
        }
    }

    private HttpResponse<String> send(String method, String path, JsonNode body, String token, String what) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(REQUEST_TIMEOUT)
                .header("Authorization", "Bearer " + token)
                .header("Accept", CONTENT_TYPE + ", application/json, application/problem+json");
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            try {
                request.header("Content-Type", CONTENT_TYPE).method(method,
                        HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body), StandardCharsets.UTF_8));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("a JSON tree always serializes", e);
            }
        }
        requests.incrementAndGet();
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TributaryException(TributaryException.INTERRUPTED, what + ": interrupted", e);
        } catch (HttpTimeoutException e) {
            throw new TributaryException(TributaryException.TIMEOUT, what + " (" + method + " " + base + path + "): " + e.getMessage(),
                    true, null, null, e);
        } catch (IOException e) {
            throw new TributaryException(TributaryException.TRANSPORT, what + " (" + method + " " + base + path + "): "
                    + e.getClass().getSimpleName() + ": " + e.getMessage(), true, null, null, e);
        }
    }

    /** A subject as one path segment: percent-encoded, spaces as %20 (URLEncoder writes '+'). */
    static String segment(String subject) {
        if (subject == null || subject.isEmpty() || subject.equals(".") || subject.equals("..")) {
            // In a path "." and ".." would address another resource.
            throw new TributaryException(TributaryException.SERIALIZATION, "invalid subject '" + subject + "'");
        }
        return URLEncoder.encode(subject, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static int requiredInt(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.canConvertToInt()) {
            throw new TributaryException(TributaryException.TRANSPORT, "the registry's answer has no '" + field + "': " + node);
        }
        return value.asInt();
    }

    private static String requiredText(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual()) {
            throw new TributaryException(TributaryException.TRANSPORT, "the registry's answer has no '" + field + "'");
        }
        return value.asText();
    }

    private static String abbreviate(String s) {
        return s == null ? "nothing" : s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }
}
