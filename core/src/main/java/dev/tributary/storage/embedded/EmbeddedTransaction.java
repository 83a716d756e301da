package dev.tributary.storage.embedded;

import dev.tributary.storage.KeyValue;
import dev.tributary.storage.Keys;
import dev.tributary.storage.MutationType;
import dev.tributary.storage.Mutations;
import dev.tributary.storage.ReadTransaction;
import dev.tributary.storage.StorageErrorCode;
import dev.tributary.storage.StorageException;
import dev.tributary.storage.StorageLimits;
import dev.tributary.storage.Transaction;
import dev.tributary.storage.embedded.ConflictTracker.Range;
import dev.tributary.storage.embedded.WriteBuffer.AtomicOps;
import dev.tributary.storage.embedded.WriteBuffer.Cleared;
import dev.tributary.storage.embedded.WriteBuffer.Pending;
import dev.tributary.storage.embedded.WriteBuffer.SetValue;
import dev.tributary.storage.embedded.WriteBuffer.StampedKey;
import dev.tributary.storage.embedded.WriteBuffer.StampedValue;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.CompletableFuture;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;

/**
 * A transaction on the embedded store. Reads go to the RocksDB snapshot of its read version,
 * merged with its own pending writes; every non-snapshot read records a read conflict range; the
 * commit hands the transaction to the store's committer.
 */
final class EmbeddedTransaction implements Transaction {
    private enum State { OPEN, COMMITTING, COMMITTED, FAILED, CANCELLED }

    private record PendingWatch(byte[] key, byte[] expected, CompletableFuture<Void> future) {}

    /** What a commit wrote: point keys and ranges, for the conflict history and for watches. */
    record AppliedWrites(List<byte[]> pointKeys, List<Range> ranges) {}

    private final EmbeddedStore store;
    private final WriteBuffer buffer = new WriteBuffer();
    private final List<Range> readConflicts = new ArrayList<>();
    private final List<Range> writeConflicts = new ArrayList<>();
    private final List<PendingWatch> watches = new ArrayList<>(0);
    private final CompletableFuture<byte[]> versionstamp = new CompletableFuture<>();
    private final SnapshotReads snapshotView = new SnapshotReads();
    private EmbeddedStore.ReadView view;
    private ReadOptions readOptions;
    private long readNanos;
    private long mutationBytes;
    private long conflictBytes;
    private volatile State state = State.OPEN;
    private volatile long committedVersion = -1;

    EmbeddedTransaction(EmbeddedStore store) {
        this.store = store;
    }

    // ---------------------------------------------------------------- read version

    @Override
    public long getReadVersion() {
        return ensureView().version;
    }

    private EmbeddedStore.ReadView ensureView() {
        if (view == null) {
            view = store.acquireView();
            readOptions = new ReadOptions().setSnapshot(view.snapshot);
            readNanos = System.nanoTime();
        }
        return view;
    }

    boolean hasAtomicMutations() {
        return buffer.hasAtomicOps;
    }

    long readVersion() {
        return view == null ? Long.MAX_VALUE : view.version;
    }

    boolean isTooOld(long nowNanos) {
        return view != null && nowNanos - readNanos > StorageLimits.MAX_TRANSACTION_AGE_MILLIS * 1_000_000L;
    }

    StorageException tooOld() {
        return new StorageException(StorageErrorCode.TRANSACTION_TOO_OLD,
                "the transaction's read version " + view.version + " is more than "
                        + StorageLimits.MAX_TRANSACTION_AGE_MILLIS + " ms old");
    }

    List<Range> readConflicts() {
        return readConflicts;
    }

    private void checkUsable() {
        State s = state;
        if (s == State.CANCELLED) {
            throw new StorageException(StorageErrorCode.TRANSACTION_CANCELLED, "the transaction was cancelled");
        }
        if (s != State.OPEN) {
            throw new StorageException(StorageErrorCode.USED_DURING_COMMIT,
                    "the transaction was used after its commit started");
        }
        store.checkOpen();
    }

    /** Called before every read: usable, has a read version, not past the 5-second window. */
    private void beforeRead() {
        checkUsable();
        ensureView();
        if (isTooOld(System.nanoTime())) {
            throw tooOld();
        }
    }

    // ---------------------------------------------------------------- reads

    @Override
    public CompletableFuture<byte[]> get(byte[] key) {
        return complete(() -> read(key, false));
    }

    @Override
    public CompletableFuture<List<KeyValue>> getRange(byte[] begin, byte[] end, int limit, boolean reverse) {
        return complete(() -> readRange(begin, end, limit, reverse, false));
    }

    @Override
    public ReadTransaction snapshot() {
        return snapshotView;
    }

    private byte[] read(byte[] key, boolean snapshot) {
        StorageLimits.checkReadableKey(key);
        beforeRead();
        checkReadable(key, Keys.keyAfter(key));
        Pending p = buffer.writes.get(key);
        if (p instanceof SetValue s) {
            return s.value().clone();
        }
        if (p instanceof Cleared) {
            return null;
        }
        if (p instanceof StampedValue) {
            throw unreadable(key);
        }
        if (p == null && buffer.isCleared(key)) {
            return null;
        }
        if (!snapshot) {
            addReadConflict(key, Keys.keyAfter(key));
        }
        byte[] committed = dbGet(key);
        return p instanceof AtomicOps ops ? ops.applyTo(committed) : committed;
    }

    private byte[] dbGet(byte[] key) {
        return store.whileOpen(() -> {
            try {
                return store.db().get(readOptions, key);
            } catch (RocksDBException e) {
                throw store.translate(e, "reading " + Keys.printable(key));
            }
        });
    }

    private List<KeyValue> readRange(byte[] begin, byte[] end, int limit, boolean reverse, boolean snapshot) {
        StorageLimits.checkRange(begin, end);
        if (limit < 0) {
            throw new IllegalArgumentException("limit must not be negative");
        }
        beforeRead();
        checkReadable(begin, end);
        int max = limit == NO_LIMIT ? Integer.MAX_VALUE : limit;
        List<KeyValue> out = store.whileOpen(() -> mergeRange(begin, end, max, reverse));
        if (!snapshot) {
            if (out.size() == max) {
                byte[] last = out.get(out.size() - 1).key();
                if (reverse) {
                    addReadConflict(last, end);
                } else {
                    addReadConflict(begin, Keys.keyAfter(last));
                }
            } else {
                addReadConflict(begin, end);
            }
        }
        return out;
    }

    /**
     * Merges the snapshot's keys in [begin, end) with this transaction's pending writes: pending
     * entries override, cleared ranges hide, atomic entries are applied to the committed value.
     */
    private List<KeyValue> mergeRange(byte[] begin, byte[] end, int max, boolean reverse) {
        List<KeyValue> out = new ArrayList<>(Math.min(max, 256));
        if (Keys.compare(begin, end) >= 0) {
            return out;
        }
        NavigableMap<byte[], Pending> local = buffer.writes.subMap(begin, true, end, false);
        Iterator<Map.Entry<byte[], Pending>> localIt = (reverse ? local.descendingMap() : local).entrySet().iterator();
        Map.Entry<byte[], Pending> nextLocal = localIt.hasNext() ? localIt.next() : null;
        try (RocksIterator it = store.db().newIterator(readOptions)) {
            seekStart(it, begin, end, reverse);
            byte[] dbKey = positioned(it, begin, end, reverse);
            while (out.size() < max) {
                // Skip committed keys hidden by a range this transaction cleared.
                while (dbKey != null && buffer.isCleared(dbKey) && !buffer.writes.containsKey(dbKey)) {
                    if (reverse) {
                        byte[] clearBegin = buffer.clearedRangeBegin(dbKey);
                        it.seekForPrev(clearBegin);
                        if (it.isValid() && Keys.compare(it.key(), clearBegin) == 0) {
                            it.prev();
                        }
                    } else {
                        it.seek(buffer.clearedRangeEnd(dbKey));
                    }
                    dbKey = positioned(it, begin, end, reverse);
                }
                if (dbKey == null && nextLocal == null) {
                    break;
                }
                // order < 0: the committed key comes first in iteration order; 0: same key; > 0: the pending one.
                int order;
                if (dbKey == null) {
                    order = 1;
                } else if (nextLocal == null) {
                    order = -1;
                } else {
                    int c = Keys.compare(dbKey, nextLocal.getKey());
                    order = reverse ? -c : c;
                }
                if (order < 0) {
                    out.add(new KeyValue(dbKey, it.value()));
                    advance(it, reverse);
                    dbKey = positioned(it, begin, end, reverse);
                    continue;
                }
                byte[] key = nextLocal.getKey();
                byte[] committed = null;
                if (order == 0) {
                    committed = it.value();
                    advance(it, reverse);
                    dbKey = positioned(it, begin, end, reverse);
                }
                Pending p = nextLocal.getValue();
                nextLocal = localIt.hasNext() ? localIt.next() : null;
                if (p instanceof SetValue s) {
                    out.add(new KeyValue(key.clone(), s.value().clone()));
                } else if (p instanceof AtomicOps ops) {
                    byte[] base = order == 0 ? committed : null;
                    byte[] value = ops.applyTo(base);
                    if (value != null) {
                        out.add(new KeyValue(key.clone(), value));
                    }
                } else if (p instanceof StampedValue) {
                    throw unreadable(key);
                }
                // Cleared: nothing to emit.
            }
            try {
                it.status();
            } catch (RocksDBException e) {
                throw store.translate(e, "reading a range");
            }
        }
        return out;
    }

    private static void seekStart(RocksIterator it, byte[] begin, byte[] end, boolean reverse) {
        if (reverse) {
            it.seekForPrev(end);
            if (it.isValid() && Keys.compare(it.key(), end) == 0) {
                it.prev();
            }
        } else {
            it.seek(begin);
        }
    }

    private static void advance(RocksIterator it, boolean reverse) {
        if (reverse) {
            it.prev();
        } else {
            it.next();
        }
    }

    /** The iterator's key if it is inside [begin, end), else null. */
    private static byte[] positioned(RocksIterator it, byte[] begin, byte[] end, boolean reverse) {
        if (!it.isValid()) {
            return null;
        }
        byte[] key = it.key();
        if (reverse ? Keys.compare(key, begin) < 0 : Keys.compare(key, end) >= 0) {
            return null;
        }
        return key;
    }

    /**
     * A versionstamped key may land anywhere its placeholder can: FoundationDB makes that whole range
     * unreadable to the transaction until commit, and so does this.
     */
    private void checkReadable(byte[] begin, byte[] end) {
        for (StampedKey sk : buffer.stampedKeys) {
            if (Keys.compare(begin, sk.landingEnd()) < 0 && Keys.compare(sk.landingBegin(), end) < 0) {
                throw new StorageException(StorageErrorCode.ACCESSED_UNREADABLE,
                        "the read overlaps where a versionstamped key of this transaction will land ["
                                + Keys.printable(sk.landingBegin()) + ", " + Keys.printable(sk.landingEnd()) + ")");
            }
        }
    }

    private static StorageException unreadable(byte[] key) {
        return new StorageException(StorageErrorCode.ACCESSED_UNREADABLE,
                "key " + Keys.printable(key) + " has a versionstamped value that is unknown until commit");
    }

    private void addReadConflict(byte[] begin, byte[] end) {
        readConflicts.add(new Range(begin.clone(), end.clone()));
        conflictBytes += begin.length + end.length;
    }

    /** Runs a read and wraps its outcome in a completed future, as an asynchronous backend would. */
    private static <T> CompletableFuture<T> complete(java.util.function.Supplier<T> read) {
        try {
            return CompletableFuture.completedFuture(read.get());
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Reads of the same transaction that add no read conflicts. */
    private final class SnapshotReads implements ReadTransaction {
        @Override
        public long getReadVersion() {
            return EmbeddedTransaction.this.getReadVersion();
        }

        @Override
        public CompletableFuture<byte[]> get(byte[] key) {
            return complete(() -> read(key, true));
        }

        @Override
        public CompletableFuture<List<KeyValue>> getRange(byte[] begin, byte[] end, int limit, boolean reverse) {
            return complete(() -> readRange(begin, end, limit, reverse, true));
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
        addMutationBytes(key.length + value.length);
        // Copies: the caller may reuse its arrays, and keys sit in a sorted map.
        buffer.set(key.clone(), value.clone());
    }

    @Override
    public void clear(byte[] key) {
        checkUsable();
        StorageLimits.checkWritableKey(key);
        addMutationBytes(key.length);
        buffer.clear(key.clone());
    }

    @Override
    public void clearRange(byte[] begin, byte[] end) {
        checkUsable();
        StorageLimits.checkRange(begin, end);
        addMutationBytes(begin.length + end.length);
        buffer.clearRange(begin.clone(), end.clone());
    }

    @Override
    public void mutate(MutationType type, byte[] key, byte[] operand) {
        checkUsable();
        switch (type) {
            case SET_VERSIONSTAMPED_KEY -> {
                int offset = Mutations.versionstampOffset(key);
                byte[] body = java.util.Arrays.copyOf(key, key.length - 4);
                StorageLimits.checkKey(body);
                if (offset > 0 && Keys.isSystemKey(body)) {
                    StorageLimits.checkWritableKey(body);
                }
                StorageLimits.checkValue(operand);
                addMutationBytes(key.length + operand.length);
                buffer.setStampedKey(key.clone(), operand.clone());
            }
            case SET_VERSIONSTAMPED_VALUE -> {
                StorageLimits.checkWritableKey(key);
                Mutations.versionstampOffset(operand);
                StorageLimits.checkValue(java.util.Arrays.copyOf(operand, operand.length - 4));
                addMutationBytes(key.length + operand.length);
                buffer.setStampedValue(key.clone(), operand.clone());
            }
            default -> {
                StorageLimits.checkWritableKey(key);
                StorageLimits.checkValue(operand);
                addMutationBytes(key.length + operand.length);
                buffer.mutate(type, key.clone(), operand.clone());
            }
        }
    }

    @Override
    public void addReadConflictRange(byte[] begin, byte[] end) {
        checkUsable();
        StorageLimits.checkRange(begin, end);
        addReadConflict(begin, end);
    }

    @Override
    public void addWriteConflictRange(byte[] begin, byte[] end) {
        checkUsable();
        StorageLimits.checkRange(begin, end);
        writeConflicts.add(new Range(begin.clone(), end.clone()));
        conflictBytes += begin.length + end.length;
        StorageLimits.checkTransactionSize(approximateSize());
    }

    private void addMutationBytes(long bytes) {
        mutationBytes += bytes;
        StorageLimits.checkTransactionSize(approximateSize());
    }

    @Override
    public long approximateSize() {
        return mutationBytes + conflictBytes;
    }

    @Override
    public CompletableFuture<Void> watch(byte[] key) {
        checkUsable();
        StorageLimits.checkReadableKey(key);
        // The watch compares against the value this transaction sees now (FoundationDB's rule).
        byte[] expected = read(key, true);
        CompletableFuture<Void> future = new CompletableFuture<>();
        watches.add(new PendingWatch(key.clone(), expected, future));
        return future;
    }

    // ---------------------------------------------------------------- commit

    @Override
    public CompletableFuture<Void> commit() {
        State s = state;
        if (s == State.CANCELLED) {
            return CompletableFuture.failedFuture(
                    new StorageException(StorageErrorCode.TRANSACTION_CANCELLED, "the transaction was cancelled"));
        }
        if (s != State.OPEN) {
            return CompletableFuture.failedFuture(new StorageException(StorageErrorCode.USED_DURING_COMMIT,
                    "commit was already called on this transaction"));
        }
        try {
            store.checkOpen();
            if (isTooOld(System.nanoTime())) {
                throw tooOld();
            }
            StorageLimits.checkTransactionSize(approximateSize());
        } catch (StorageException e) {
            state = State.FAILED;
            commitFailed(e);
            return CompletableFuture.failedFuture(e);
        }
        state = State.COMMITTING;
        if (buffer.isEmpty() && writeConflicts.isEmpty()) {
            // Read-only: nothing to resolve or write; it commits at its read version.
            state = State.COMMITTED;
            versionstamp.completeExceptionally(new StorageException(StorageErrorCode.INVALID_MUTATION,
                    "a read-only transaction has no versionstamp"));
            registerWatches();
            return CompletableFuture.completedFuture(null);
        }
        try {
            return store.submit(new EmbeddedStore.CommitRequest(this, readVersion(), readNanos));
        } catch (StorageException e) {
            state = State.FAILED;
            commitFailed(e);
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * Writes this transaction into {@code batch} with its versionstamp: clears first, then pending
     * writes (see {@link WriteBuffer}). Runs on the committer thread, which has applied every earlier
     * commit already, so atomic mutations see the latest value.
     */
    AppliedWrites applyTo(WriteBatch batch, byte[] stamp) throws RocksDBException {
        List<byte[]> points = new ArrayList<>(buffer.writes.size() + buffer.stampedKeys.size());
        List<Range> ranges = new ArrayList<>(buffer.clears.size() + writeConflicts.size());
        for (Map.Entry<byte[], byte[]> c : buffer.clears.entrySet()) {
            batch.deleteRange(c.getKey(), c.getValue());
            ranges.add(new Range(c.getKey(), c.getValue()));
        }
        for (StampedKey sk : buffer.stampedKeys) {
            byte[] key = Mutations.fillVersionstamp(sk.template(), stamp);
            if (!buffer.clearedAfter(sk, key) && !buffer.writes.containsKey(key)) {
                batch.put(key, sk.value());
                points.add(key);
            }
        }
        for (Map.Entry<byte[], Pending> e : buffer.writes.entrySet()) {
            byte[] key = e.getKey();
            Pending p = e.getValue();
            byte[] value;
            if (p instanceof SetValue s) {
                value = s.value();
            } else if (p instanceof Cleared) {
                value = null;
            } else if (p instanceof AtomicOps ops) {
                value = ops.applyTo(store.db().get(key));
            } else {
                value = Mutations.fillVersionstamp(((StampedValue) p).template(), stamp);
            }
            if (value == null) {
                batch.delete(key);
            } else {
                batch.put(key, value);
            }
            points.add(key);
        }
        ranges.addAll(writeConflicts);
        return new AppliedWrites(points, ranges);
    }

    /** Called on the notifier thread once the commit is durable. */
    void committed(long version, byte[] stamp) {
        committedVersion = version;
        state = State.COMMITTED;
        versionstamp.complete(stamp);
        registerWatches();
    }

    /** Called when the commit failed: watches and the versionstamp fail with the same error. */
    void commitFailed(StorageException e) {
        if (state == State.COMMITTING) {
            state = State.FAILED;
        }
        versionstamp.completeExceptionally(e);
        for (PendingWatch w : watches) {
            w.future().completeExceptionally(e);
        }
    }

    private void registerWatches() {
        for (PendingWatch w : watches) {
            try {
                store.watches().register(w.key(), w.expected(), w.future(), store::latestValue);
            } catch (StorageException e) {
                w.future().completeExceptionally(e);
            }
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
    public void cancel() {
        if (state == State.OPEN) {
            state = State.CANCELLED;
            StorageException e = new StorageException(StorageErrorCode.TRANSACTION_CANCELLED, "the transaction was cancelled");
            versionstamp.completeExceptionally(e);
            watches.forEach(w -> w.future().completeExceptionally(e));
        }
    }

    @Override
    public void close() {
        if (state == State.OPEN) {
            cancel();
        }
        if (view != null) {
            readOptions.close();
            view.release();
            view = null;
        }
    }
}
