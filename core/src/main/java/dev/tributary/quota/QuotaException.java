package dev.tributary.quota;

import java.time.Duration;
import java.util.Optional;

/**
 * Something a quota refuses, with a stable {@link #code()} and, for {@link QuotaErrorCode#THROTTLED},
 * how long to wait before trying again. Nothing was written.
 */
public class QuotaException extends RuntimeException {
    private final QuotaErrorCode code;
    private final Duration retryAfter;

    public QuotaException(QuotaErrorCode code, String message) {
        this(code, message, null);
    }

    public QuotaException(QuotaErrorCode code, String message, Duration retryAfter) {
        super(message);
        this.code = code;
        this.retryAfter = retryAfter;
    }

    public QuotaErrorCode code() {
        return code;
    }

    /** The message without the code prefix, for problem details and gRPC descriptions that carry the code apart. */
    public String detail() {
        return super.getMessage();
    }

    /** When to try again, for throttling; empty otherwise. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }

    @Override
    public String getMessage() {
        return code + ": " + super.getMessage();
    }

    /** Unwraps CompletionException / ExecutionException layers to the QuotaException inside, if any. */
    public static QuotaException unwrap(Throwable t) {
        for (Throwable cur = t; cur != null; cur = cur.getCause()) {
            if (cur instanceof QuotaException qe) {
                return qe;
            }
        }
        return null;
    }
}
