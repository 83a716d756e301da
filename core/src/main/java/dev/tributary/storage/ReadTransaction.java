package dev.tributary.storage;

import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;

/**
 * Reads at one consistent read version. Reads through a {@link Transaction} add read conflict
 * ranges (what was actually read: a limited range read conflicts only up to its last returned key);
 * reads through {@link #snapshot()} add none.
 *
 * <p>Futures may complete immediately (the embedded backend) or after a network round trip
 * (FoundationDB); callers must not assume either.
 */
public interface ReadTransaction {
    /** Passed as {@code limit} for "no limit". */
    int NO_LIMIT = 0;

    /**
     * The version this transaction reads at, taken at the first read (or here). Every commit with a
     * version at or below it is visible, none after it.
     */
    long getReadVersion();

    /** The value of {@code key}, or {@code null} if it is not set. */
    CompletableFuture<byte[]> get(byte[] key);

    /**
     * Keys in {@code [begin, end)}, ascending, or descending when {@code reverse}, at most {@code
     * limit} of them ({@link #NO_LIMIT} for all; use {@link #iterate} for large ranges).
     */
    CompletableFuture<List<KeyValue>> getRange(byte[] begin, byte[] end, int limit, boolean reverse);

    default CompletableFuture<List<KeyValue>> getRange(byte[] begin, byte[] end) {
        return getRange(begin, end, NO_LIMIT, false);
    }

    /** Every key starting with {@code prefix}, ascending. */
    default CompletableFuture<List<KeyValue>> getRangeStartsWith(byte[] prefix) {
        return getRange(prefix, Keys.prefixEnd(prefix), NO_LIMIT, false);
    }

    /**
     * Streams {@code [begin, end)} in batches of {@code batchSize}, so that a large range is never
     * held in memory at once. {@code hasNext()} may block while the next batch is read. Read
     * conflicts cover what has been fetched so far.
     */
    default Iterator<KeyValue> iterate(byte[] begin, byte[] end, boolean reverse, int batchSize) {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batchSize must be positive");
        }
        return new Iterator<>() {
            private byte[] lo = begin;
            private byte[] hi = end;
            private Iterator<KeyValue> batch = List.<KeyValue>of().iterator();
            private boolean exhausted;

            @Override
            public boolean hasNext() {
                while (!batch.hasNext() && !exhausted) {
                    List<KeyValue> next = getRange(lo, hi, batchSize, reverse).join();
                    if (next.size() < batchSize) {
                        exhausted = true;
                    }
                    if (!next.isEmpty()) {
                        byte[] last = next.get(next.size() - 1).key();
                        if (reverse) {
                            hi = last;
                        } else {
                            lo = Keys.keyAfter(last);
                        }
                    }
                    batch = next.iterator();
                }
                return batch.hasNext();
            }

            @Override
            public KeyValue next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return batch.next();
            }
        };
    }

    /** A view of this transaction whose reads add no read conflict ranges (FoundationDB snapshot reads). */
    ReadTransaction snapshot();
}
