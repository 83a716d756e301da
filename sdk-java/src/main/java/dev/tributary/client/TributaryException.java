package dev.tributary.client;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * A failure reported by Tributary or met on the way to it. {@link #code()} is the server's stable
 * error code (e.g. {@code UNKNOWN_TOPIC}, {@code OFFSET_OUT_OF_RANGE}, {@code NOT_OWNER}, {@code
 * UNAUTHENTICATED}; see {@code data.proto} and {@code group.proto}) or one of the client's own
 * codes ({@link #TIMEOUT}, {@link #CLOSED}, {@link #TRANSPORT}, {@link #INVALID_CONFIG}, {@link
 * #SERIALIZATION}, {@link #BUFFER_EXHAUSTED}, {@link #INTERRUPTED}), or {@link #SCHEMA_REGISTRY} for
 * the schema registry's refusals.
 */
public class TributaryException extends RuntimeException {
    /** The operation did not complete in time (delivery.timeout.ms, request.timeout.ms, ...). */
    public static final String TIMEOUT = "TIMEOUT";
    /** The client (or producer, consumer) was closed. */
    public static final String CLOSED = "CLOSED";
    /** The connection failed or was lost; no answer from the server. */
    public static final String TRANSPORT = "TRANSPORT";
    /** A client setting is missing or out of range. */
    public static final String INVALID_CONFIG = "INVALID_CONFIG";
    /** A serializer or deserializer failed. */
    public static final String SERIALIZATION = "SERIALIZATION";
    /** The producer's buffer.memory stayed full for max.block.ms. */
    public static final String BUFFER_EXHAUSTED = "BUFFER_EXHAUSTED";
    /** The calling thread was interrupted or {@code wakeup()} was called. */
    public static final String INTERRUPTED = "INTERRUPTED";
    /**
     * The schema registry refused a request; {@code metadata()} holds its {@code error_code} (40401,
     * 409, 42201, ...) and the {@code http_status}.
     */
    public static final String SCHEMA_REGISTRY = "SCHEMA_REGISTRY";

    private final String code;
    private final boolean retriable;
    private final Duration retryAfter;
    private final Map<String, String> metadata;

    public TributaryException(String code, String message, boolean retriable, Duration retryAfter, Map<String, String> metadata,
            Throwable cause) {
        super(code + ": " + message, cause);
        this.code = code;
        this.retriable = retriable;
        this.retryAfter = retryAfter;
        this.metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    }

    public TributaryException(String code, String message) {
        this(code, message, false, null, null, null);
    }

    public TributaryException(String code, String message, Throwable cause) {
        this(code, message, false, null, null, cause);
    }

    /** The stable error code. */
    public String code() {
        return code;
    }

    /** Whether sending the same request again may succeed (the SDK's own retries already did so). */
    public boolean retriable() {
        return retriable;
    }

    /** How long the server asked the client to wait before retrying (quota throttling), if it did. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }

    /** Machine-readable details from the server (e.g. {@code partition}, {@code owner_endpoint}). */
    public Map<String, String> metadata() {
        return metadata;
    }
}
