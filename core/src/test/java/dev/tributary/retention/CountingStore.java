package dev.tributary.retention;

import dev.tributary.storage.KeyValue;
import dev.tributary.storage.KeyValueStore;
import dev.tributary.storage.MutationType;
import dev.tributary.storage.ReadTransaction;
import dev.tributary.storage.StorageException;
import dev.tributary.storage.Transaction;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A view of a store that counts commits, retryable failures and the largest committed transaction, so tests
 * can tell whether a layer's transactions were retried and how big they were. Closing it does not
 * close the underlying store. Public for the other layers' tests (compaction).
 */
public final class CountingStore implements KeyValueStore {
    final KeyValueStore delegate;
    public final AtomicInteger commits = new AtomicInteger();
    /** Commits that failed with a retryable error (conflict, too old): each means a retry. */
    public final AtomicInteger retries = new AtomicInteger();
    public final AtomicLong largestTransactionBytes = new AtomicLong();

    public CountingStore(KeyValueStore delegate) {
        this.delegate = delegate;
    }

    @Override
    public Transaction createTransaction() {
        return new Counting(delegate.createTransaction());
    }

    @Override
    public String backendName() {
        return delegate.backendName();
    }

    @Override
    public void close() {}

    private final class Counting implements Transaction {
        private final Transaction tx;

        Counting(Transaction tx) {
            this.tx = tx;
        }

        @Override
        public long getReadVersion() {
            return tx.getReadVersion();
        }

        @Override
        public CompletableFuture<byte[]> get(byte[] key) {
            return tx.get(key);
        }

        @Override
        public CompletableFuture<List<KeyValue>> getRange(byte[] begin, byte[] end, int limit, boolean reverse) {
            return tx.getRange(begin, end, limit, reverse);
        }

        @Override
        public ReadTransaction snapshot() {
            return tx.snapshot();
        }

        @Override
        public void set(byte[] key, byte[] value) {
            tx.set(key, value);
        }

        @Override
        public void clear(byte[] key) {
            tx.clear(key);
        }

        @Override
        public void clearRange(byte[] begin, byte[] end) {
            tx.clearRange(begin, end);
        }

        @Override
        public void mutate(MutationType type, byte[] key, byte[] operand) {
            tx.mutate(type, key, operand);
        }

        @Override
        public void addReadConflictRange(byte[] begin, byte[] end) {
            tx.addReadConflictRange(begin, end);
        }

        @Override
        public void addWriteConflictRange(byte[] begin, byte[] end) {
            tx.addWriteConflictRange(begin, end);
        }

        @Override
        public CompletableFuture<Void> watch(byte[] key) {
            return tx.watch(key);
        }

        @Override
        public CompletableFuture<Void> commit() {
            long size = tx.approximateSize();
            return tx.commit().whenComplete((v, e) -> {
                if (e == null) {
                    commits.incrementAndGet();
                    largestTransactionBytes.accumulateAndGet(size, Math::max);
                    return;
                }
                StorageException se = StorageException.unwrap(e instanceof CompletionException c ? c.getCause() : e);
                if (se != null && se.isRetryable()) {
                    retries.incrementAndGet();
                }
            });
        }

        @Override
        public long getCommittedVersion() {
            return tx.getCommittedVersion();
        }

        @Override
        public CompletableFuture<byte[]> getVersionstamp() {
            return tx.getVersionstamp();
        }

        @Override
        public long approximateSize() {
            return tx.approximateSize();
        }

        @Override
        public void cancel() {
            tx.cancel();
        }

        @Override
        public void close() {
            tx.close();
        }
    }
}
