package dev.tributary.server.errors;

import dev.tributary.storage.StorageErrorCode;
import io.grpc.Status;

/**
 * How a storage failure reaches a client, the same way over REST and gRPC. Only limit violations
 * are the client's fault; everything else is the server's, and its details stay in the server log.
 */
public final class StorageErrors {
    private StorageErrors() {}

    /**
     * @param httpStatus REST status
     * @param grpcStatus gRPC status
     * @param clientFault whether the request itself was wrong (its detail is then safe and useful to return)
     * @param retryLater whether the same request may succeed later
     */
    public record Classification(int httpStatus, Status.Code grpcStatus, boolean clientFault, boolean retryLater) {}

    public static Classification classify(StorageErrorCode code) {
        if (code.maybeCommitted()) {
            // The commit may have happened: a blind retry is only safe for idempotent requests.
            return new Classification(500, Status.Code.UNKNOWN, false, false);
        }
        return switch (code) {
            case KEY_TOO_LARGE, VALUE_TOO_LARGE, TRANSACTION_TOO_LARGE ->
                    new Classification(413, Status.Code.INVALID_ARGUMENT, true, false);
            case TOO_MANY_WATCHES -> new Classification(429, Status.Code.RESOURCE_EXHAUSTED, false, true);
            case TRANSACTION_TIMED_OUT, TRANSACTION_CANCELLED, STORE_CLOSED, STORE_IO_ERROR, STORE_LOCKED ->
                    new Classification(503, Status.Code.UNAVAILABLE, false, true);
            // Conflicts, stale read versions, throttling: transient by definition.
            default -> code.retryable()
                    ? new Classification(503, Status.Code.UNAVAILABLE, false, true)
                    : new Classification(500, Status.Code.INTERNAL, false, false);
        };
    }

    /** The stable error code clients see. */
    public static String publicCode(StorageErrorCode code) {
        return "STORAGE_" + code.name();
    }
}
