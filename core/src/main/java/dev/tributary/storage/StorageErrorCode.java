package dev.tributary.storage;

/**
 * Stable storage error codes. Where FoundationDB has the same error, {@link #fdbCode()} is its
 * number, so that the FoundationDB adapter maps errors one-to-one and the embedded backend raises
 * exactly what FoundationDB would. Codes without an FoundationDB counterpart describe the embedded
 * store's own failure modes (its data directory).
 */
public enum StorageErrorCode {
    /** The read version is more than 5 s old (FDB 1007). Retryable: a new attempt gets a new read version. */
    TRANSACTION_TOO_OLD(1007, true, false),
    /** A key this transaction read was written by a transaction that committed after its read version (FDB 1020). */
    NOT_COMMITTED(1020, true, false),
    /** The commit may or may not have happened (FDB 1021). Retried by {@code run}: bodies must be idempotent. */
    COMMIT_UNKNOWN_RESULT(1021, true, true),
    /** A storage server is behind the requested read version (FDB 1009). Retryable. */
    FUTURE_VERSION(1009, true, false),
    /** A storage server fell too far behind (FDB 1037). Retryable. */
    PROCESS_BEHIND(1037, true, false),
    /** The cluster throttles batch-priority work (FDB 1051). Retryable. */
    BATCH_TRANSACTION_THROTTLED(1051, true, false),
    /** The cluster throttles a transaction tag (FDB 1213). Retryable. */
    TAG_THROTTLED(1213, true, false),
    TRANSACTION_CANCELLED(1025, false, false),
    /** The transaction exceeded its timeout or the retry loop its retry limit (FDB 1031). */
    TRANSACTION_TIMED_OUT(1031, false, false),
    /** More watches outstanding than the store allows (FDB 1032). */
    TOO_MANY_WATCHES(1032, false, false),
    /** Read of a key or value written by a versionstamped mutation in the same transaction (FDB 1036). */
    ACCESSED_UNREADABLE(1036, false, false),
    /** The transaction was used after commit started, or after it finished (FDB 2017). */
    USED_DURING_COMMIT(2017, false, false),
    /** Key in the reserved system space (0xff prefix) (FDB 2004). */
    KEY_OUTSIDE_LEGAL_RANGE(2004, false, false),
    /** Range whose begin is after its end (FDB 2005). */
    INVERTED_RANGE(2005, false, false),
    /** Invalid argument to a mutation, e.g. a versionstamp offset outside the key (FDB 2000). */
    INVALID_MUTATION(2000, false, false),
    /** Mutations and conflict ranges above 10,000,000 bytes (FDB 2101). */
    TRANSACTION_TOO_LARGE(2101, false, false),
    /** Key above 10,000 bytes (FDB 2102). */
    KEY_TOO_LARGE(2102, false, false),
    /** Value above 100,000 bytes (FDB 2103). */
    VALUE_TOO_LARGE(2103, false, false),
    /** The store was closed. */
    STORE_CLOSED(0, false, false),
    /** Another process (or another open store in this process) holds the data directory. */
    STORE_LOCKED(0, false, false),
    /** The data directory is not a Tributary store, or one of an incompatible format version. */
    STORE_INCOMPATIBLE(0, false, false),
    /** The data directory is damaged (checksum mismatch, missing files). Nothing is written to it. */
    STORE_CORRUPTED(0, false, false),
    /** The disk failed a write or sync; the store stops accepting commits rather than acknowledge what may be lost. */
    STORE_IO_ERROR(0, false, false),
    /** A backend error with no better classification; the message carries the backend's own. */
    INTERNAL(0, false, false);

    private final int fdbCode;
    private final boolean retryable;
    private final boolean maybeCommitted;

    StorageErrorCode(int fdbCode, boolean retryable, boolean maybeCommitted) {
        this.fdbCode = fdbCode;
        this.retryable = retryable;
        this.maybeCommitted = maybeCommitted;
    }

    /** The FoundationDB error number, or 0 where FoundationDB has none. */
    public int fdbCode() {
        return fdbCode;
    }

    /** Whether {@code run} retries the transaction body after this error. */
    public boolean retryable() {
        return retryable;
    }

    /** Whether the transaction may have committed despite the error. */
    public boolean maybeCommitted() {
        return maybeCommitted;
    }

    public static StorageErrorCode fromFdbCode(int code) {
        for (StorageErrorCode c : values()) {
            if (c.fdbCode == code && code != 0) {
                return c;
            }
        }
        return INTERNAL;
    }
}
