package dev.tributary.storage;

import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * An ordered, transactional key-value store shaped after FoundationDB. Every backend gives
 * serializable isolation, durability of acknowledged commits, and the limits in {@link
 * StorageLimits}; layer code is written once against this interface.
 */
public interface KeyValueStore extends AutoCloseable {

    /** A new transaction; prefer {@link #run}, which commits and retries. */
    Transaction createTransaction();

    /**
     * Runs {@code body} in a transaction and commits it, retrying the whole body on retryable errors
     * (conflicts, too-old read versions) with backoff, like FoundationDB's {@code Database.run}. The
     * body may run more than once: it must not have side effects outside the transaction.
     */
    default <T> T run(Function<? super Transaction, T> body) {
        return TransactionRunner.run(this, body);
    }

    /** As {@link #run} for a body that returns a future; the returned future completes after the commit. */
    default <T> CompletableFuture<T> runAsync(Function<? super Transaction, ? extends CompletableFuture<T>> body) {
        return TransactionRunner.runAsync(this, body);
    }

    /** Runs a read-only body at one read version; nothing is committed. */
    default <T> T read(Function<? super ReadTransaction, T> body) {
        return TransactionRunner.read(this, body);
    }

    /** The backend's name as used in configuration: {@code embedded} or {@code foundationdb}. */
    String backendName();

    /** Closes the store; later use fails with {@link StorageErrorCode#STORE_CLOSED}. Idempotent. */
    @Override
    void close();
}
