package dev.tributary.client.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.ErrorInfo;
import com.google.rpc.RetryInfo;
import dev.tributary.client.TributaryException;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * Turns what the server answered into {@link TributaryException}s with the server's stable code:
 * gRPC statuses (code from the google.rpc.ErrorInfo reason, else the {@code tributary-error-code}
 * trailer, else the status name) and REST problem+json bodies ({@code code} member).
 */
public final class Errors {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Metadata.Key<String> CODE_TRAILER = Metadata.Key.of("tributary-error-code", Metadata.ASCII_STRING_MARSHALLER);
    /** Codes a client may retry as is (the SDK does, with backoff); the others need a change first. */
    private static final Set<String> RETRIABLE_CODES = Set.of("NOT_OWNER", "FENCED_LEADER_EPOCH", "UNKNOWN_LEADER_EPOCH",
            "LEASE_EXPIRED", "POD_NOT_REGISTERED", "TOKEN_EXPIRED");
    /**
     * RESOURCE_EXHAUSTED codes that waiting a little does not cure: a tenant at its storage or
     * connection quota stays there until data or streams go. THROTTLED (a rate quota) is retried,
     * after the server's RetryInfo delay.
     */
    private static final Set<String> NOT_RETRIABLE_CODES = Set.of("STORAGE_QUOTA_EXCEEDED", "CONNECTION_QUOTA_EXCEEDED");

    private Errors() {}

    /** The TributaryException for any failure of a call (unwrapping completion wrappers). */
    public static TributaryException translate(Throwable failure) {
        Throwable t = unwrap(failure);
        if (t instanceof TributaryException e) {
            return e;
        }
        if (t instanceof StatusRuntimeException || t instanceof StatusException) {
            Status status = Status.fromThrowable(t);
            if (status.getCause() != null && unwrap(status.getCause()) instanceof TributaryException local) {
                // A failure inside the client that gRPC wrapped into a status, e.g. no token (the token
                // endpoint unreachable: TRANSPORT, retriable) rather than a refusal by the server.
                return local;
            }
            Metadata trailers = Status.trailersFromThrowable(t);
            String code = null;
            Map<String, String> metadata = new HashMap<>();
            Duration retryAfter = null;
            com.google.rpc.Status details = StatusProto.fromThrowable(t);
            if (details != null) {
                for (Any any : details.getDetailsList()) {
                    try {
                        if (any.is(ErrorInfo.class)) {
                            ErrorInfo info = any.unpack(ErrorInfo.class);
                            code = info.getReason();
                            metadata.putAll(info.getMetadataMap());
                        } else if (any.is(RetryInfo.class)) {
                            com.google.protobuf.Duration d = any.unpack(RetryInfo.class).getRetryDelay();
                            retryAfter = Duration.ofSeconds(d.getSeconds(), d.getNanos());
                        }
                    } catch (InvalidProtocolBufferException ignored) {
                        // A detail we cannot read adds nothing; the status itself still tells.
                    }
                }
            }
            if ((code == null || code.isEmpty()) && trailers != null) {
                code = trailers.get(CODE_TRAILER);
            }
            // Tributary's handlers always name a code; a status without one comes from the transport: the
            // connection failed or was closed under the call (grpc-java reports a GOAWAY with an error
            // as INTERNAL), so the call may succeed on a new connection.
            boolean transport = (code == null || code.isEmpty()) && (status.getCode() == Status.Code.UNAVAILABLE
                    || status.getCode() == Status.Code.INTERNAL || status.getCode() == Status.Code.UNKNOWN);
            if (code == null || code.isEmpty()) {
                code = transport ? TributaryException.TRANSPORT
                        : status.getCode() == Status.Code.DEADLINE_EXCEEDED ? TributaryException.TIMEOUT
                        : status.getCode() == Status.Code.CANCELLED ? TributaryException.CLOSED : status.getCode().name();
            }
            String description = status.getDescription() == null ? status.getCode().name() : status.getDescription();
            // The server's descriptions start with their code; do not repeat it.
            if (description.startsWith(code + ": ")) {
                description = description.substring(code.length() + 2);
            }
            boolean retriable = !NOT_RETRIABLE_CODES.contains(code) && (RETRIABLE_CODES.contains(code) || transport
                    || status.getCode() == Status.Code.UNAVAILABLE || status.getCode() == Status.Code.RESOURCE_EXHAUSTED
                    || status.getCode() == Status.Code.DEADLINE_EXCEEDED);
            return new TributaryException(code, description, retriable, retryAfter, metadata, t);
        }
        if (t instanceof InterruptedException) {
            Thread.currentThread().interrupt();
            return new TributaryException(TributaryException.INTERRUPTED, "interrupted", t);
        }
        return new TributaryException(TributaryException.TRANSPORT, describe(t), true, null, null, t);
    }

    /** The exception for a REST answer that is not a success: the problem's {@code code} and {@code detail}. */
    public static TributaryException fromProblem(HttpResponse<String> response, String what) {
        String code = "HTTP_" + response.statusCode();
        String detail = response.body();
        try {
            JsonNode problem = JSON.readTree(response.body());
            if (problem != null && problem.hasNonNull("code")) {
                code = problem.get("code").asText();
                detail = problem.path("detail").asText(problem.path("title").asText(""));
            }
        } catch (Exception ignored) {
            // Not problem+json (a proxy's page): keep the raw body as the detail.
        }
        int status = response.statusCode();
        Duration retryAfter = response.headers().firstValue("Retry-After").flatMap(Errors::seconds).orElse(null);
        boolean retriable = status == 429 || status == 503;
        return new TributaryException(code, what + ": " + detail, retriable, retryAfter, Map.of("http_status", Integer.toString(status)), null);
    }

    static String describe(Throwable t) {
        Throwable u = unwrap(t);
        return u.getMessage() == null ? u.getClass().getSimpleName() : u.getClass().getSimpleName() + ": " + u.getMessage();
    }

    private static java.util.Optional<Duration> seconds(String value) {
        try {
            return java.util.Optional.of(Duration.ofSeconds(Long.parseLong(value.trim())));
        } catch (NumberFormatException e) {
            return java.util.Optional.empty();
        }
    }

    private static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
