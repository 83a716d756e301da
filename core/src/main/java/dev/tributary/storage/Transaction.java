package dev.tributary.storage;

import java.util.concurrent.CompletableFuture;

/**
 * A serializable transaction: it commits only if nothing it read (its read conflict ranges) was
 * written by a transaction that committed after its read version; otherwise commit fails with
 * {@link StorageErrorCode#NOT_COMMITTED} and {@link KeyValueStore#run} retries the body. Reads see
 * the transaction's own writes. Limits ({@link StorageLimits}) are checked as operations are added.
 *
 * <p>A transaction is used by one thread at a time. Use {@link KeyValueStore#run} rather than
 * committing by hand unless you need the versionstamp or watches.
 */
public interface Transaction extends ReadTransaction, AutoCloseable {

    void set(byte[] key, byte[] value);

    void clear(byte[] key);

    /** Clears every key in {@code [begin, end)}. */
    void clearRange(byte[] begin, byte[] end);

    /** Applies an atomic mutation at commit without reading (see {@link MutationType}). */
    void mutate(MutationType type, byte[] key, byte[] operand);

    /** Makes this transaction conflict with any concurrent write to {@code [begin, end)}, as if it had read it. */
    void addReadConflictRange(byte[] begin, byte[] end);

    default void addReadConflictKey(byte[] key) {
        addReadConflictRange(key, Keys.keyAfter(key));
    }

    /** Makes concurrent transactions that read {@code [begin, end)} conflict with this one, as if it had written it. */
    void addWriteConflictRange(byte[] begin, byte[] end);

    default void addWriteConflictKey(byte[] key) {
        addWriteConflictRange(key, Keys.keyAfter(key));
    }

    /**
     * A future that completes when the value of {@code key} differs from its value as of this
     * transaction's commit (or fails with the store's error). The watch starts when the transaction
     * commits; it is cancelled if the commit fails. Changes are not guaranteed to be reported one by
     * one: re-read and watch again.
     */
    CompletableFuture<Void> watch(byte[] key);

    /** Commits; completes when the transaction is durable (or fails with a {@link StorageException}). */
    CompletableFuture<Void> commit();

    /** The version at which this transaction committed; valid after {@link #commit()} completed. -1 for a read-only one. */
    long getCommittedVersion();

    /**
     * The 10-byte versionstamp this transaction's versionstamped mutations received; completes after
     * a successful commit. Versionstamps increase strictly with commit order across the whole store.
     */
    CompletableFuture<byte[]> getVersionstamp();

    /** Bytes counted toward {@link StorageLimits#MAX_TRANSACTION_BYTES} so far. */
    long approximateSize();

    /** Abandons the transaction; nothing it wrote is committed. Idempotent. */
    void cancel();

    /** Releases the transaction's resources (its read snapshot); cancels it if not committed. */
    @Override
    void close();
}
