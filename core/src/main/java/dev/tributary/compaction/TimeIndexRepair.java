package dev.tributary.compaction;

import dev.tributary.log.LogKeySpace.PartitionKeys;
import dev.tributary.storage.KeyValue;
import dev.tributary.storage.Keys;
import dev.tributary.storage.ReadTransaction;
import dev.tributary.storage.Transaction;
import java.util.ArrayList;
import java.util.List;

/**
 * Keeps the time index pointing at existing batches while compaction removes batches or moves
 * their start (a batch whose first records were removed starts at its first surviving record).
 *
 * <p>An index entry (ts, base) says: every record before the batch at base is earlier than ts
 * ({@code PartitionLog.offsetForTimestamp} relies on nothing else). Removing records keeps that
 * true, and so does moving an entry forward to the first batch that survives at or after its base:
 * nothing survives in between. Entries increase in both fields (ts strictly, base with it), so the
 * entries of a range of batches are one contiguous run of the index, and when several entries end
 * up at the same batch only the one with the largest ts is kept: for any T up to it, it answers
 * exactly as the smaller ones would. The index therefore never holds more entries than batches.
 *
 * <p>A pass rewrites the log in offset order, so the run of one transaction starts where the
 * previous one's ended; the position is kept as a hint and checked (the entry before it must point
 * below the range) because another compactor may have changed the index in between, in which case
 * the run is found again from the index start.
 */
final class TimeIndexRepair {
    private static final int INDEX_PAGE = 128;
    private static final byte[] EMPTY = new byte[0];

    private final PartitionKeys keys;
    /** Every index entry before this key points below the range the next transaction rewrites. */
    private byte[] hint;

    TimeIndexRepair(PartitionKeys keys) {
        this.keys = keys;
        this.hint = keys.indexBegin();
    }

    /** An index entry: its key and decoded (timestamp, base offset). */
    private record Entry(byte[] key, long timestamp, long base) {}

    /**
     * Repairs, in {@code tx}, the entries of batches with base offsets in [{@code rangeStart},
     * {@code rangeEnd}) after the transaction rewrote them. {@code survivors} are the base offsets
     * in that range that hold a batch once {@code tx} commits, ascending; {@code nextBase} is the
     * first batch at or after {@code rangeEnd}, which {@code tx} does not touch. Reads at {@code
     * snapshot}; returns the hint for the following range, to pass to {@link #advance} once {@code
     * tx} has committed.
     */
    byte[] repair(Transaction tx, ReadTransaction snapshot, long rangeStart, long rangeEnd, long[] survivors, long nextBase) {
        byte[] from = hint;
        if (Keys.compare(from, keys.indexBegin()) > 0) {
            List<KeyValue> before = snapshot.getRange(keys.indexBegin(), from, 1, true).join();
            if (!before.isEmpty() && keys.decodeIndex(before.get(0).key())[1] >= rangeStart) {
                from = keys.indexBegin(); // changed by someone else since: find the run again
            }
        }
        List<Entry> run = new ArrayList<>();
        Entry after = null;
        byte[] lastRead = null;
        scan:
        while (true) {
            List<KeyValue> page = snapshot.getRange(from, keys.indexEnd(), INDEX_PAGE, false).join();
            for (KeyValue kv : page) {
                long[] e = keys.decodeIndex(kv.key());
                lastRead = kv.key();
                if (e[1] >= rangeEnd) {
                    after = new Entry(kv.key(), e[0], e[1]);
                    break scan;
                }
                if (e[1] >= rangeStart) {
                    run.add(new Entry(kv.key(), e[0], e[1]));
                }
            }
            if (page.size() < INDEX_PAGE) {
                break;
            }
            from = Keys.keyAfter(page.get(page.size() - 1).key());
        }

        long[] targets = new long[run.size()];
        for (int i = 0; i < run.size(); i++) {
            targets[i] = firstAtOrAfter(survivors, run.get(i).base(), nextBase);
        }
        byte[] nextHint = null;
        for (int i = 0; i < run.size(); i++) {
            Entry e = run.get(i);
            long following = i + 1 < run.size() ? targets[i + 1] : after != null ? after.base() : -1;
            if (targets[i] == following) {
                tx.clear(e.key()); // a later entry points at the same batch and answers for it
                continue;
            }
            byte[] key = e.key();
            if (targets[i] != e.base()) {
                tx.clear(e.key());
                key = keys.indexEntry(e.timestamp(), targets[i]);
                tx.set(key, EMPTY);
            }
            if (nextHint == null && targets[i] >= rangeEnd) {
                nextHint = key;
            }
        }
        if (nextHint == null) {
            nextHint = after != null ? after.key() : lastRead != null ? Keys.keyAfter(lastRead) : hint;
        }
        return nextHint;
    }

    /** Adopts the hint {@link #repair} returned, after its transaction committed. */
    void advance(byte[] nextHint) {
        hint = nextHint;
    }

    /** The first of the ascending {@code survivors} at or after {@code base}, else {@code nextBase}. */
    private static long firstAtOrAfter(long[] survivors, long base, long nextBase) {
        int lo = 0;
        int hi = survivors.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (survivors[mid] < base) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo < survivors.length ? survivors[lo] : nextBase;
    }
}
