package dev.tributary.client.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tributary.client.TributaryException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;

/**
 * OAuth2 client credentials (RFC 6749 section 4.4) against the token endpoint, HTTP Basic client
 * authentication. One fetch at a time: concurrent callers share the pending request. A token is
 * reused until a fifth of its lifetime (at most a minute) remains, so calls never carry a token
 * that expires in flight.
 */
final class ClientCredentialsTokens implements TokenSource {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http;
    private final URI tokenUrl;
    private final String basic;
    private final Duration requestTimeout;

    private String token;
    private long refreshAtNanos;
    private CompletableFuture<String> pending;

    ClientCredentialsTokens(HttpClient http, URI tokenUrl, String clientId, String clientSecret, Duration requestTimeout) {
        this.http = http;
        this.tokenUrl = tokenUrl;
        // RFC 6749 2.3.1: form-encode id and secret before Basic encoding.
        String pair = URLEncoder.encode(clientId, StandardCharsets.UTF_8) + ":" + URLEncoder.encode(clientSecret, StandardCharsets.UTF_8);
        this.basic = "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
        this.requestTimeout = requestTimeout;
    }

    @Override
    public synchronized CompletableFuture<String> token() {
        if (token != null && System.nanoTime() - refreshAtNanos < 0) {
            return CompletableFuture.completedFuture(token);
        }
        if (pending == null) {
            CompletableFuture<String> fetch = fetch();
            pending = fetch;
            fetch.whenComplete((t, e) -> {
                synchronized (this) {
                    pending = null;
                }
            });
        }
        return pending;
    }

    @Override
    public synchronized void invalidate(String stale) {
        if (stale != null && stale.equals(token)) {
            token = null;
        }
    }

    /**
     * A 401 from the token endpoint: the client credentials were refused (RFC 6749 5.2 error body,
     * {@code invalid_client}). UNAUTHENTICATED, as the data plane would answer a bad token.
     */
    private TributaryException refused(HttpResponse<String> response) {
        String error = "invalid_client";
        String description = "";
        try {
            JsonNode body = JSON.readTree(response.body());
            error = body.path("error").asText(error);
            description = body.path("error_description").asText("");
        } catch (java.io.IOException | RuntimeException ignored) {
            // Not the JSON RFC 6749 prescribes: the status alone says enough.
        }
        return new TributaryException("UNAUTHENTICATED", "token request to " + tokenUrl + " refused: " + error
                + (description.isEmpty() ? "" : " (" + description + ")"), false, null, java.util.Map.of("oauth_error", error), null);
    }

    private CompletableFuture<String> fetch() {
        HttpRequest request = HttpRequest.newBuilder(tokenUrl)
                .timeout(requestTimeout)
                .header("Authorization", basic)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials"))
                .build();
        long sentAt = System.nanoTime();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8))
                .handle((response, failure) -> {
                    if (failure != null) {
                        throw new TributaryException(TributaryException.TRANSPORT, "token request to " + tokenUrl + " failed: "
                                + Errors.describe(failure), true, null, null, failure);
                    }
                    if (response.statusCode() == 401) {
                        throw refused(response);
                    }
                    if (response.statusCode() != 200) {
                        throw Errors.fromProblem(response, "token request to " + tokenUrl);
                    }
                    try {
                        JsonNode body = JSON.readTree(response.body());
                        String accessToken = body.path("access_token").asText(null);
                        if (accessToken == null) {
                            throw new TributaryException(TributaryException.TRANSPORT, "token response without access_token");
                        }
                        long lifetimeSeconds = Math.max(1, body.path("expires_in").asLong(60));
                        long marginSeconds = Math.min(60, lifetimeSeconds / 5);
                        synchronized (this) {
                            token = accessToken;
                            refreshAtNanos = sentAt + Duration.ofSeconds(lifetimeSeconds - marginSeconds).toNanos();
                        }
                        return accessToken;
                    } catch (java.io.IOException e) {
                        throw new TributaryException(TributaryException.TRANSPORT, "malformed token response: " + e.getMessage(), e);
                    }
                });
    }
}
