package dev.tributary.client.internal.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tributary.client.TributaryException;
import dev.tributary.client.admin.Page;
import dev.tributary.client.internal.Connection;
import dev.tributary.client.internal.Errors;
import dev.tributary.client.internal.TokenSource;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * The REST plumbing every part of the admin client shares: requests with the connection's bearer
 * token, JSON bodies, problem+json errors turned into {@link TributaryException}s with the
 * problem's {@code code}, paging. A 401 TOKEN_EXPIRED (a cached token that expired in flight, or a
 * clock that runs late) invalidates that token and sends the request once more with a fresh one.
 */
final class RestCalls {
    /**
     * Items per list request when the caller does not choose: the server's default page size. Each
     * page is one read transaction on the server, and transactions must stay well below the
     * store's five-second limit.
     */
    static final int LIST_PAGE_SIZE = 100;
    static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    private static final String JSON_TYPE = "application/json";

    private final Connection connection;
    private final TokenSource tokens;

    RestCalls(Connection connection, TokenSource tokens) {
        this.connection = Objects.requireNonNull(connection, "connection");
        this.tokens = Objects.requireNonNull(tokens, "tokens");
    }

    Connection connection() {
        return connection;
    }

    TokenSource tokens() {
        return tokens;
    }

    /**
     * Sends one request and completes with the response if it is a 2xx, else fails with the
     * problem's code. On 401 TOKEN_EXPIRED the token is invalidated and the request sent once more.
     */
    CompletableFuture<HttpResponse<String>> send(String method, String path, JsonNode body, String ifMatch, String what) {
        return attempt(method, path, body, ifMatch, what, true);
    }

    /** {@link #send} answering the response body as a JSON object. */
    CompletableFuture<JsonNode> sendForObject(String method, String path, JsonNode body, String ifMatch, String what) {
        return send(method, path, body, ifMatch, what).thenApply(RestCalls::parse);
    }

    /** {@link #send} for requests whose answer carries nothing of interest (204). */
    CompletableFuture<Void> sendForNothing(String method, String path, String what) {
        return send(method, path, null, null, what).thenApply(response -> null);
    }

    /**
     * One page of a list: {@code path} with {@code query} (already encoded {@code key=value} pairs
     * joined by '&amp;', or empty) and the paging parameters.
     */
    <T> CompletableFuture<Page<T>> page(String path, String query, int pageSize, String pageToken, Function<JsonNode, T> item,
            String what) {
        if (pageSize < 1) {
            return CompletableFuture.failedFuture(new TributaryException("INVALID_REQUEST", what + ": pageSize must be positive, was "
                    + pageSize));
        }
        String fullQuery = "?pageSize=" + pageSize + (pageToken == null || pageToken.isEmpty() ? "" : "&pageToken="
                + queryValue(pageToken)) + (query.isEmpty() ? "" : "&" + query);
        return send("GET", path + fullQuery, null, null, what).thenApply(response -> {
            JsonNode page = parse(response);
            List<T> items = new ArrayList<>();
            for (JsonNode node : page.path("items")) {
                items.add(item.apply(node));
            }
            return new Page<>(items, page.path("nextPageToken").asText(null));
        });
    }

    /** Every item of a list: the first page and, while the server names a next page, the ones after it. */
    <T> CompletableFuture<List<T>> listAll(String path, String query, Function<JsonNode, T> item, String what) {
        return listFrom(path, query, null, item, what, new ArrayList<>());
    }

    private <T> CompletableFuture<List<T>> listFrom(String path, String query, String pageToken, Function<JsonNode, T> item,
            String what, List<T> collected) {
        return page(path, query, LIST_PAGE_SIZE, pageToken, item, what).thenCompose(page -> {
            collected.addAll(page.items());
            String next = page.nextPageToken();
            if (next == null) {
                return CompletableFuture.completedFuture(Collections.unmodifiableList(collected));
            }
            if (next.equals(pageToken)) {
                // A server that hands back the same token would page forever.
                throw new TributaryException(TributaryException.TRANSPORT, what + ": the server returned the same page token twice");
            }
            return listFrom(path, query, next, item, what, collected);
        });
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

    /** The body of a response as a JSON object (TRANSPORT if it is none). */
    static JsonNode parse(HttpResponse<String> response) {
        JsonNode node = parseAny(response);
        if (!node.isObject()) {
            throw new TributaryException(TributaryException.TRANSPORT, "expected a JSON object from " + response.uri() + ", got: "
                    + abbreviate(response.body()));
        }
        return node;
    }

    /** The body of a response as any JSON value. */
    static JsonNode parseAny(HttpResponse<String> response) {
        try {
            JsonNode node = JSON.readTree(response.body());
            if (node == null || node.isMissingNode()) {
                throw new TributaryException(TributaryException.TRANSPORT, "expected JSON from " + response.uri() + ", got nothing");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new TributaryException(TributaryException.TRANSPORT, "malformed JSON from " + response.uri() + ": "
                    + e.getOriginalMessage(), e);
        }
    }

    /** The response's ETag header, or null. */
    static String etag(HttpResponse<String> response) {
        return response.headers().firstValue("ETag").orElse(null);
    }

    private static String abbreviate(String s) {
        return s == null ? "nothing" : s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }

    /** A text member, null when absent or JSON null. */
    static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    /** A number member, null when absent or JSON null (null means "unlimited" in quotas). */
    static Long optionalLong(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asLong();
    }

    /** A number member, {@code absent} when absent or JSON null. */
    static long longOr(JsonNode node, String field, long absent) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? absent : value.asLong();
    }

    /** The server writes ISO-8601 instants; Jackson's numeric form (seconds with a fraction) is read too. */
    static Instant instant(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (value.isNumber()) {
            BigDecimal seconds = value.decimalValue();
            return Instant.ofEpochSecond(seconds.longValue(), seconds.remainder(BigDecimal.ONE).movePointRight(9).longValue());
        }
        try {
            return Instant.parse(value.asText());
        } catch (DateTimeParseException e) {
            throw new TributaryException(TributaryException.TRANSPORT, "unreadable " + field + " '" + value.asText() + "'", e);
        }
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
     * A name as one URL path segment, percent-encoded. Empty, "." and ".." are refused with {@code
     * invalidCode} before anything is sent: in a path they would address another resource.
     */
    static String pathSegment(String name, String what, String invalidCode) {
        if (name == null || name.isEmpty() || name.equals(".") || name.equals("..")) {
            throw new TributaryException(invalidCode, "invalid " + what + " '" + name + "'");
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

    /** A query parameter value (page tokens are opaque, names may hold anything). */
    static String queryValue(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
