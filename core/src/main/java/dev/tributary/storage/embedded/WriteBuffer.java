package dev.tributary.storage.embedded;

import dev.tributary.storage.Keys;
import dev.tributary.storage.MutationType;
import dev.tributary.storage.Mutations;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * A transaction's uncommitted writes, kept so that reads see them (read-your-writes) and so that the
 * commit can be applied as one RocksDB write batch.
 *
 * <p>Invariant that makes the commit order-free: a clearRange drops every pending write inside it,
 * so any write still pending happened after every clear that covers its key. The commit therefore
 * applies the clears first, then the pending writes.
 */
final class WriteBuffer {

    /** What the transaction has done to one key. */
    sealed interface Pending permits SetValue, Cleared, AtomicOps, StampedValue {}

    record SetValue(byte[] value) implements Pending {}

    record Cleared() implements Pending {}

    /** Atomic mutations on a key whose committed value this transaction has not fixed: applied at commit. */
    record AtomicOps(List<MutationType> types, List<byte[]> operands) implements Pending {
        byte[] applyTo(byte[] base) {
            byte[] value = base;
            for (int i = 0; i < types.size(); i++) {
                value = Mutations.apply(types.get(i), value, operands.get(i));
            }
            return value;
        }
    }

    /** A value template whose versionstamp is known only at commit; unreadable until then. */
    record StampedValue(byte[] template) implements Pending {}

    /**
     * A versionstamped key; {@code clearsBefore} counts the clearRange calls made before it.
     * [landingBegin, landingEnd) is every key it can become: the placeholder all 0x00 to all 0xff.
     */
    record StampedKey(byte[] template, byte[] value, int clearsBefore, byte[] landingBegin, byte[] landingEnd) {
        static StampedKey of(byte[] template, byte[] value, int clearsBefore) {
            int offset = Mutations.versionstampOffset(template);
            byte[] low = java.util.Arrays.copyOf(template, template.length - 4);
            byte[] high = low.clone();
            java.util.Arrays.fill(low, offset, offset + dev.tributary.storage.StorageLimits.VERSIONSTAMP_BYTES, (byte) 0);
            java.util.Arrays.fill(high, offset, offset + dev.tributary.storage.StorageLimits.VERSIONSTAMP_BYTES, (byte) 0xff);
            return new StampedKey(template, value, clearsBefore, low, Keys.keyAfter(high));
        }
    }

    record ClearedRange(byte[] begin, byte[] end) {}

    private static final Cleared CLEARED = new Cleared();

    final TreeMap<byte[], Pending> writes = new TreeMap<>(Keys::compare);
    /** Disjoint, merged cleared ranges: begin → end (exclusive). */
    final TreeMap<byte[], byte[]> clears = new TreeMap<>(Keys::compare);
    /** Every clearRange in call order, to decide whether a later clear removes a versionstamped key. */
    final List<ClearedRange> clearLog = new ArrayList<>();
    final List<StampedKey> stampedKeys = new ArrayList<>();
    /** Whether any mutation waits for the committed value at commit (conservative: never reset). */
    boolean hasAtomicOps;

    boolean isEmpty() {
        return writes.isEmpty() && clears.isEmpty() && stampedKeys.isEmpty();
    }

    void set(byte[] key, byte[] value) {
        writes.put(key, new SetValue(value));
    }

    void clear(byte[] key) {
        writes.put(key, CLEARED);
        if (!stampedKeys.isEmpty()) {
            clearLog.add(new ClearedRange(key, Keys.keyAfter(key)));
        }
    }

    void clearRange(byte[] begin, byte[] end) {
        if (Keys.compare(begin, end) >= 0) {
            return;
        }
        writes.subMap(begin, true, end, false).clear();
        clearLog.add(new ClearedRange(begin, end));
        byte[] newBegin = begin;
        byte[] newEnd = end;
        Map.Entry<byte[], byte[]> before = clears.floorEntry(begin);
        if (before != null && Keys.compare(before.getValue(), begin) >= 0) {
            newBegin = before.getKey();
            if (Keys.compare(before.getValue(), newEnd) > 0) {
                newEnd = before.getValue();
            }
        }
        NavigableMap<byte[], byte[]> overlapping = clears.subMap(newBegin, true, newEnd, true);
        for (byte[] existingEnd : overlapping.values()) {
            if (Keys.compare(existingEnd, newEnd) > 0) {
                newEnd = existingEnd;
            }
        }
        overlapping.clear();
        clears.put(newBegin, newEnd);
    }

    /** Whether {@code key} lies in a range this transaction cleared. */
    boolean isCleared(byte[] key) {
        Map.Entry<byte[], byte[]> e = clears.floorEntry(key);
        return e != null && Keys.compare(key, e.getValue()) < 0;
    }

    /** The end of the cleared range containing {@code key}, or null. */
    byte[] clearedRangeEnd(byte[] key) {
        Map.Entry<byte[], byte[]> e = clears.floorEntry(key);
        return e != null && Keys.compare(key, e.getValue()) < 0 ? e.getValue() : null;
    }

    /** The begin of the cleared range containing {@code key}, or null. */
    byte[] clearedRangeBegin(byte[] key) {
        Map.Entry<byte[], byte[]> e = clears.floorEntry(key);
        return e != null && Keys.compare(key, e.getValue()) < 0 ? e.getKey() : null;
    }

    void mutate(MutationType type, byte[] key, byte[] operand) {
        Pending p = writes.get(key);
        if (p instanceof SetValue s) {
            putResult(key, Mutations.apply(type, s.value(), operand));
        } else if (p instanceof Cleared || (p == null && isCleared(key))) {
            putResult(key, Mutations.apply(type, null, operand));
        } else if (p instanceof AtomicOps ops) {
            ops.types().add(type);
            ops.operands().add(operand);
        } else if (p instanceof StampedValue) {
            // The base value is unknowable before commit; FoundationDB rejects this combination too.
            throw new dev.tributary.storage.StorageException(dev.tributary.storage.StorageErrorCode.ACCESSED_UNREADABLE,
                    "atomic mutation on a key whose value is versionstamped in this transaction");
        } else {
            hasAtomicOps = true;
            List<MutationType> types = new ArrayList<>(2);
            List<byte[]> operands = new ArrayList<>(2);
            types.add(type);
            operands.add(operand);
            writes.put(key, new AtomicOps(types, operands));
        }
    }

    void setStampedValue(byte[] key, byte[] template) {
        writes.put(key, new StampedValue(template));
    }

    void setStampedKey(byte[] template, byte[] value) {
        stampedKeys.add(StampedKey.of(template, value, clearLog.size()));
    }

    /** Whether a clearRange made after the versionstamped key was set covers its final key. */
    boolean clearedAfter(StampedKey stamped, byte[] finalKey) {
        for (int i = stamped.clearsBefore(); i < clearLog.size(); i++) {
            ClearedRange r = clearLog.get(i);
            if (Keys.compare(finalKey, r.begin()) >= 0 && Keys.compare(finalKey, r.end()) < 0) {
                return true;
            }
        }
        return false;
    }

    private void putResult(byte[] key, byte[] value) {
        writes.put(key, value == null ? CLEARED : new SetValue(value));
    }
}
