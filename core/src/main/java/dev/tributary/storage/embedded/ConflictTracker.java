package dev.tributary.storage.embedded;

import dev.tributary.storage.Keys;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * What recently committed transactions wrote, by commit version: the embedded store's resolver. A
 * transaction with read version V conflicts when any of its read ranges intersects a write committed
 * at a version above V. Only the committer thread uses it.
 *
 * <p>History older than the 5-second transaction window (plus a margin) is pruned: a transaction
 * that could still commit got its read version less than 5 s ago, and everything committed after
 * its read version is younger than that.
 */
final class ConflictTracker {
    record Range(byte[] begin, byte[] end) {
        boolean isSingleKey() {
            return end.length == begin.length + 1 && end[begin.length] == 0
                    && java.util.Arrays.equals(begin, 0, begin.length, end, 0, begin.length);
        }
    }

    private record RangeWrite(byte[] begin, byte[] end, long version) {}

    private record Commit(long version, long nanos, List<byte[]> points, int rangeCount) {}

    private final long retainNanos;
    /** Key → last commit version that wrote it. */
    private final TreeMap<byte[], Long> pointWrites = new TreeMap<>(Keys::compare);
    private final ArrayDeque<RangeWrite> rangeWrites = new ArrayDeque<>();
    private final ArrayDeque<Commit> history = new ArrayDeque<>();
    private long newestVersion;

    ConflictTracker(long retainMillis) {
        this.retainNanos = retainMillis * 1_000_000L;
    }

    /** Whether any of {@code reads} was written by a commit after {@code readVersion}. */
    boolean conflicts(long readVersion, List<Range> reads) {
        if (readVersion >= newestVersion || reads.isEmpty()) {
            return false;
        }
        for (Range r : reads) {
            if (r.isSingleKey()) {
                Long v = pointWrites.get(r.begin());
                if (v != null && v > readVersion) {
                    return true;
                }
            } else {
                for (Long v : pointWrites.subMap(r.begin(), true, r.end(), false).values()) {
                    if (v > readVersion) {
                        return true;
                    }
                }
            }
            for (RangeWrite w : rangeWrites) {
                if (w.version() > readVersion
                        && Keys.compare(w.begin(), r.end()) < 0 && Keys.compare(r.begin(), w.end()) < 0) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Records one committed transaction's point writes and range writes at {@code version}. */
    void record(long version, List<byte[]> points, List<Range> ranges, long nowNanos) {
        List<byte[]> kept = new ArrayList<>(points.size());
        for (byte[] key : points) {
            pointWrites.put(key, version);
            kept.add(key);
        }
        for (Range r : ranges) {
            if (r.isSingleKey()) {
                pointWrites.put(r.begin(), version);
                kept.add(r.begin());
            } else {
                rangeWrites.addLast(new RangeWrite(r.begin(), r.end(), version));
            }
        }
        int rangeCount = (int) ranges.stream().filter(r -> !r.isSingleKey()).count();
        history.addLast(new Commit(version, nowNanos, kept, rangeCount));
        newestVersion = Math.max(newestVersion, version);
    }

    /** Drops history older than the retention window. */
    void prune(long nowNanos) {
        while (!history.isEmpty() && nowNanos - history.peekFirst().nanos() > retainNanos) {
            Commit old = history.pollFirst();
            for (byte[] key : old.points()) {
                Long v = pointWrites.get(key);
                if (v != null && v == old.version()) {
                    pointWrites.remove(key);
                }
            }
            for (int i = 0; i < old.rangeCount(); i++) {
                rangeWrites.pollFirst();
            }
        }
    }

    int trackedKeys() {
        return pointWrites.size();
    }
}
