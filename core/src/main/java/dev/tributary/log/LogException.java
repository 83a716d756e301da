package dev.tributary.log;

import dev.tributary.record.InvalidRecordBatchException;

/** A topic or log operation refused for a precise, stable reason ({@link #code()}); nothing was written. */
public class LogException extends RuntimeException {
    private final LogErrorCode code;

    public LogException(LogErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    public LogException(LogErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public LogErrorCode code() {
        return code;
    }

    /** The record-format reason when {@link #code()} is {@link LogErrorCode#INVALID_BATCH}, else null. */
    public InvalidRecordBatchException.Reason batchReason() {
        return getCause() instanceof InvalidRecordBatchException e ? e.reason() : null;
    }

    @Override
    public String getMessage() {
        return code + ": " + super.getMessage();
    }

    /** Unwraps CompletionException / ExecutionException layers to the LogException inside, if any. */
    public static LogException unwrap(Throwable t) {
        for (Throwable cur = t; cur != null; cur = cur.getCause()) {
            if (cur instanceof LogException le) {
                return le;
            }
        }
        return null;
    }
}
