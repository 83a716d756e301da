package dev.tributary.storage.foundationdb;

import com.apple.foundationdb.StreamingMode;
import com.apple.foundationdb.async.AsyncIterator;
import dev.tributary.storage.KeyValue;
import dev.tributary.storage.Keys;
import dev.tributary.storage.MutationType;
import dev.tributary.storage.Mutations;
import dev.tributary.storage.ReadTransaction;
import dev.tributary.storage.StorageErrorCode;
import dev.tributary.storage.StorageException;
import dev.tributary.storage.StorageLimits;
import dev.tributary.storage.Transaction;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@link Transaction} over an fdb-java transaction. FoundationDB does the work; this class only
 *
 * <ul>
 *   <li>runs the SPI's argument and limit checks before delegating, so that an oversized key or a
 *       bad versionstamp offset fails at the call, with the embedded backend's error, rather than
 *       as a deferred FoundationDB error at commit;
 *   <li>counts transaction bytes by the embedded backend's rule (mutation bytes plus conflict range
 *       bytes) for {@link StorageLimits#checkTransactionSize}; FoundationDB keeps its own, slightly
 *       larger count and still enforces 10,000,000 bytes at commit (same error code, 2101);
 *   <li>rejects use after commit / cancel with the embedded backend's codes, and translates
 *       FDBException codes one-to-one ({@link StorageErrorCode#fromFdbCode}).
 * </ul>
 */
final class FoundationDbTransaction implements Transaction {
    private enum State { OPEN, COMMITTING, CANCELLED }

    private final FoundationDbStore store;
    private final com.apple.foundationdb.Transaction tr;
    private final SnapshotReads snapshotView;
    /**
     * Bytes counted toward the SPI's transaction size limit, as the embedded backend counts them.
     * Atomic because range reads add to it from fdb-java's callback threads.
     */
    private final AtomicLong accountedBytes = new AtomicLong();
    /** Whether anything was written: a read-only transaction has no versionstamp. */
    private boolean wrote;
    private State state = State.OPEN;
    /**
     * Completed from FoundationDB's versionstamp future, which must be requested before the commit
     * starts (fdb-java answers used_during_commit afterwards) while the SPI allows asking after it.
     */
    private final CompletableFuture<byte[]> versionstamp = new CompletableFuture<>();
    private volatile long committedVersion = -1;

    FoundationDbTransaction(FoundationDbStore store, com.apple.foundationdb.Transaction tr) {
        this.store = store;
        this.tr = tr;
        this.snapshotView = new SnapshotReads(tr.snapshot());
    }

    private void checkUsable() {
        if (state == State.CANCELLED) {
            throw cancelled();
        }
        if (state != State.OPEN) {
            throw new StorageException(StorageErrorCode.USED_DURING_COMMIT, "the transaction was used after its commit started");
        }
        store.ensureOpen();
    }

    private static StorageException cancelled() {
        return new StorageException(StorageErrorCode.TRANSACTION_CANCELLED, "the transaction was cancelled");
    }

    /** Counts a write (mutation or conflict range) and checks the limit before it is delegated. */
    private void accountWrite(long bytes) {
        wrote = true;
        StorageLimits.checkTransactionSize(accountedBytes.addAndGet(bytes));
    }

    // ---------------------------------------------------------------- reads

    @Override
    public long getReadVersion() {
        return FdbErrors.join(tr.getReadVersion());
    }

    @Override
    public CompletableFuture<byte[]> get(byte[] key) {
        return read(tr, key, false);
    }

    @Override
    public CompletableFuture<List<KeyValue>> getRange(byte[] begin, byte[] end, int limit, boolean reverse) {
        return readRange(tr, begin, end, limit, reverse, false);
    }

    @Override
    public Iterator<KeyValue> iterate(byte[] begin, byte[] end, boolean reverse, int batchSize) {
        return iterate(tr, begin, end, reverse, batchSize, false);
    }

    @Override
    public ReadTransaction snapshot() {
        return snapshotView;
    }

    private CompletableFuture<byte[]> read(com.apple.foundationdb.ReadTransaction reads, byte[] key, boolean snapshot) {
        try {
            StorageLimits.checkReadableKey(key);
            checkUsable();
            CompletableFuture<byte[]> value = FdbErrors.map(reads.get(key));
            if (!snapshot) {
                // FoundationDB adds the conflict range itself; only the SPI's byte count is ours.
                accountedBytes.addAndGet(2L * key.length + 1);
            }
            return value;
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(FdbErrors.rethrow(e));
        }
    }

    private CompletableFuture<List<KeyValue>> readRange(com.apple.foundationdb.ReadTransaction reads,
            byte[] begin, byte[] end, int limit, boolean reverse, boolean snapshot) {
        try {
            StorageLimits.checkRange(begin, end);
            if (limit < 0) {
                throw new IllegalArgumentException("limit must not be negative");
            }
            checkUsable();
            // WANT_ALL: the caller asked for the whole (possibly limited) result as one list.
            CompletableFuture<List<com.apple.foundationdb.KeyValue>> rows =
                    reads.getRange(begin, end, limit, reverse, StreamingMode.WANT_ALL).asList();
            return FdbErrors.map(rows, list -> {
                if (!snapshot) {
                    accountRangeRead(begin, end, limit, reverse, list);
                }
                return convert(list);
            });
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(FdbErrors.rethrow(e));
        }
    }

    /** The read conflict range FoundationDB recorded for a range read, counted as the embedded backend counts it. */
    private void accountRangeRead(byte[] begin, byte[] end, int limit, boolean reverse,
            List<com.apple.foundationdb.KeyValue> rows) {
        if (limit != NO_LIMIT && rows.size() == limit) {
            byte[] last = rows.get(rows.size() - 1).getKey();
            accountedBytes.addAndGet(reverse ? last.length + end.length : begin.length + last.length + 1);
        } else {
            accountedBytes.addAndGet(begin.length + end.length);
        }
    }

    /**
     * Streams the range with FoundationDB's ITERATOR mode, which fetches growing batches on its own
     * ({@code batchSize} is validated but FoundationDB picks the batch sizes).
     */
    private Iterator<KeyValue> iterate(com.apple.foundationdb.ReadTransaction reads,
            byte[] begin, byte[] end, boolean reverse, int batchSize, boolean snapshot) {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batchSize must be positive");
        }
        StorageLimits.checkRange(begin, end);
        checkUsable();
        AsyncIterator<com.apple.foundationdb.KeyValue> it;
        try {
            it = reads.getRange(begin, end, NO_LIMIT, reverse, StreamingMode.ITERATOR).iterator();
        } catch (RuntimeException e) {
            throw FdbErrors.rethrow(e);
        }
        return new Iterator<>() {
            private boolean accounted = snapshot;

            @Override
            public boolean hasNext() {
                boolean more;
                try {
                    more = it.hasNext();
                } catch (RuntimeException e) {
                    throw FdbErrors.rethrow(e);
                }
                if (!more && !accounted) {
                    // Fully read: the conflict range is the whole range. A partly read range is
                    // not counted here (FoundationDB still counts it at commit).
                    accounted = true;
                    accountedBytes.addAndGet(begin.length + end.length);
                }
                return more;
            }

            @Override
            public KeyValue next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                com.apple.foundationdb.KeyValue kv = it.next();
                return new KeyValue(kv.getKey(), kv.getValue());
            }
        };
    }

    private static List<KeyValue> convert(List<com.apple.foundationdb.KeyValue> rows) {
        List<KeyValue> out = new ArrayList<>(rows.size());
        for (com.apple.foundationdb.KeyValue kv : rows) {
            out.add(new KeyValue(kv.getKey(), kv.getValue()));
        }
        return out;
    }

    /** The same transaction's reads through fdb-java's snapshot view: no read conflict ranges. */
    private final class SnapshotReads implements ReadTransaction {
        private final com.apple.foundationdb.ReadTransaction reads;

        SnapshotReads(com.apple.foundationdb.ReadTransaction reads) {
            this.reads = reads;
        }

        @Override
        public long getReadVersion() {
            return FoundationDbTransaction.this.getReadVersion();
        }

        @Override
        public CompletableFuture<byte[]> get(byte[] key) {
            return read(reads, key, true);
        }

        @Override
        public CompletableFuture<List<KeyValue>> getRange(byte[] begin, byte[] end, int limit, boolean reverse) {
            return readRange(reads, begin, end, limit, reverse, true);
        }

        @Override
        public Iterator<KeyValue> iterate(byte[] begin, byte[] end, boolean reverse, int batchSize) {
            return FoundationDbTransaction.this.iterate(reads, begin, end, reverse, batchSize, true);
        }

        @Override
        public ReadTransaction snapshot() {
            return this;
        }
    }

    // ---------------------------------------------------------------- writes

    @Override
    public void set(byte[] key, byte[] value) {
        checkUsable();
        StorageLimits.checkWritableKey(key);
        StorageLimits.checkValue(value);
        accountWrite(key.length + value.length);
        tr.set(key, value);
    }

    @Override
    public void clear(byte[] key) {
        checkUsable();
        StorageLimits.checkWritableKey(key);
        accountWrite(key.length);
        tr.clear(key);
    }

    @Override
    public void clearRange(byte[] begin, byte[] end) {
        checkUsable();
        StorageLimits.checkRange(begin, end);
        accountWrite(begin.length + end.length);
        tr.clear(begin, end);
    }

    @Override
    public void mutate(MutationType type, byte[] key, byte[] operand) {
        checkUsable();
        switch (type) {
            case SET_VERSIONSTAMPED_KEY -> {
                // The key is a template: its size and system-space checks apply to the key it becomes.
                int offset = Mutations.versionstampOffset(key);
                byte[] body = Arrays.copyOf(key, key.length - 4);
                StorageLimits.checkKey(body);
                if (offset > 0 && Keys.isSystemKey(body)) {
                    StorageLimits.checkWritableKey(body);
                }
                StorageLimits.checkValue(operand);
            }
            case SET_VERSIONSTAMPED_VALUE -> {
                StorageLimits.checkWritableKey(key);
                Mutations.versionstampOffset(operand);
                StorageLimits.checkValue(Arrays.copyOf(operand, operand.length - 4));
            }
            default -> {
                StorageLimits.checkWritableKey(key);
                StorageLimits.checkValue(operand);
            }
        }
        accountWrite(key.length + operand.length);
        tr.mutate(toFdb(type), key, operand);
    }

    /** One-to-one: the SPI's mutation types are FoundationDB's, with FoundationDB's semantics. */
    static com.apple.foundationdb.MutationType toFdb(MutationType type) {
        return switch (type) {
            case ADD -> com.apple.foundationdb.MutationType.ADD;
            case BIT_AND -> com.apple.foundationdb.MutationType.BIT_AND;
            case BIT_OR -> com.apple.foundationdb.MutationType.BIT_OR;
            case BIT_XOR -> com.apple.foundationdb.MutationType.BIT_XOR;
            case MAX -> com.apple.foundationdb.MutationType.MAX;
            case MIN -> com.apple.foundationdb.MutationType.MIN;
            case BYTE_MAX -> com.apple.foundationdb.MutationType.BYTE_MAX;
            case BYTE_MIN -> com.apple.foundationdb.MutationType.BYTE_MIN;
            case COMPARE_AND_CLEAR -> com.apple.foundationdb.MutationType.COMPARE_AND_CLEAR;
            case SET_VERSIONSTAMPED_KEY -> com.apple.foundationdb.MutationType.SET_VERSIONSTAMPED_KEY;
            case SET_VERSIONSTAMPED_VALUE -> com.apple.foundationdb.MutationType.SET_VERSIONSTAMPED_VALUE;
        };
    }

    @Override
    public void addReadConflictRange(byte[] begin, byte[] end) {
        checkUsable();
        StorageLimits.checkRange(begin, end);
        // Counted like a read conflict: checked at commit, and it does not make the transaction read-write.
        accountedBytes.addAndGet(begin.length + end.length);
        tr.addReadConflictRange(begin, end);
    }

    @Override
    public void addWriteConflictRange(byte[] begin, byte[] end) {
        checkUsable();
        StorageLimits.checkRange(begin, end);
        accountWrite(begin.length + end.length);
        tr.addWriteConflictRange(begin, end);
    }

    @Override
    public CompletableFuture<Void> watch(byte[] key) {
        checkUsable();
        StorageLimits.checkReadableKey(key);
        try {
            // FoundationDB starts the watch at commit and fails it with the commit's error.
            return store.track(tr.watch(key));
        } catch (RuntimeException e) {
            throw FdbErrors.rethrow(e);
        }
    }

    // ---------------------------------------------------------------- commit

    @Override
    public CompletableFuture<Void> commit() {
        if (state == State.CANCELLED) {
            return CompletableFuture.failedFuture(cancelled());
        }
        if (state != State.OPEN) {
            return CompletableFuture.failedFuture(
                    new StorageException(StorageErrorCode.USED_DURING_COMMIT, "commit was already called on this transaction"));
        }
        state = State.COMMITTING;
        try {
            store.ensureOpen();
            // Reads are counted without a check as they happen (as in the embedded backend); the total is checked here.
            StorageLimits.checkTransactionSize(accountedBytes.get());
            if (wrote) {
                FdbErrors.map(tr.getVersionstamp()).whenComplete((stamp, error) -> {
                    if (error != null) {
                        versionstamp.completeExceptionally(error);
                    } else {
                        versionstamp.complete(stamp);
                    }
                });
            } else {
                // FoundationDB would answer no_commit_version (2021); the SPI's answer is the embedded backend's.
                versionstamp.completeExceptionally(new StorageException(StorageErrorCode.INVALID_MUTATION,
                        "a read-only transaction has no versionstamp"));
            }
            return FdbErrors.map(tr.commit(), ignored -> {
                committedVersion = tr.getCommittedVersion();
                return null;
            });
        } catch (RuntimeException e) {
            RuntimeException error = FdbErrors.rethrow(e);
            versionstamp.completeExceptionally(error);
            return CompletableFuture.failedFuture(error);
        }
    }

    @Override
    public long getCommittedVersion() {
        return committedVersion;
    }

    @Override
    public CompletableFuture<byte[]> getVersionstamp() {
        return versionstamp;
    }

    @Override
    public long approximateSize() {
        // FoundationDB's own count (the one its commit-time limit uses); asynchronous in fdb-java.
        return FdbErrors.join(tr.getApproximateSize());
    }

    @Override
    public void cancel() {
        if (state == State.OPEN) {
            state = State.CANCELLED;
            versionstamp.completeExceptionally(cancelled());
            tr.cancel();
        }
    }

    @Override
    public void close() {
        if (state == State.OPEN) {
            cancel();
        }
        // Releases the native transaction. Watches of a committed transaction outlive it (FoundationDB's rule).
        tr.close();
    }
}
