package dev.tributary.storage;

/** Every failure of the storage SPI, with a stable {@link StorageErrorCode}. */
public class StorageException extends RuntimeException {
    private final StorageErrorCode code;

    public StorageException(StorageErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    public StorageException(StorageErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public StorageErrorCode code() {
        return code;
    }

    public boolean isRetryable() {
        return code.retryable();
    }

    @Override
    public String getMessage() {
        return code + ": " + super.getMessage();
    }

    /** Unwraps CompletionException / ExecutionException layers to the StorageException inside, if any. */
    public static StorageException unwrap(Throwable t) {
        Throwable cur = t;
        while (cur != null) {
            if (cur instanceof StorageException se) {
                return se;
            }
            cur = cur.getCause();
        }
        return null;
    }
}
