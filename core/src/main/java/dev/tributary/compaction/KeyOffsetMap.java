package dev.tributary.compaction;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * The latest offset of each key seen in the part of a log one compaction pass maps, in bounded
 * memory: keys are stored as 128-bit hashes (the first 16 bytes of their SHA-256), never as the
 * keys themselves, in open-addressing arrays that hold at most {@code maxEntries} keys (24 bytes
 * per slot, at most 3/4 of the slots used; the arrays start small and double as keys arrive).
 *
 * <p>Two different keys with the same 128-bit hash would make compaction drop the older one's
 * latest record. With n keys mapped the chance is about n²/2¹²⁹ (10⁻²⁵ for a billion keys), and a
 * cryptographic hash keeps producers from choosing colliding keys (a tenant can only reach its own
 * partitions anyway). Kafka's cleaner makes the same trade with MD5.
 *
 * <p>Not thread-safe: one pass of one compactor uses it.
 */
final class KeyOffsetMap {
    /** Upper bound of {@code maxEntries}: 2^24 keys take 2^25 slots, 768 MiB. */
    static final int MAX_ENTRIES_LIMIT = 1 << 24;
    private static final int INITIAL_SLOTS = 1 << 10;
    private static final long EMPTY = -1;

    private final int maxEntries;
    private final MessageDigest sha256;
    private long[] hashHigh;
    private long[] hashLow;
    /** The mapped offset per slot; {@link #EMPTY} marks a free slot (offsets are never negative). */
    private long[] offsets;
    private int size;
    // The hash of the key last passed to locate(), kept here to avoid allocating per record.
    private long high;
    private long low;

    KeyOffsetMap(int maxEntries) {
        if (maxEntries < 1 || maxEntries > MAX_ENTRIES_LIMIT) {
            throw new IllegalArgumentException("a key map holds 1 to " + MAX_ENTRIES_LIMIT + " keys, not " + maxEntries);
        }
        this.maxEntries = maxEntries;
        try {
            this.sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform provides SHA-256", e);
        }
        allocate(INITIAL_SLOTS);
    }

    int size() {
        return size;
    }

    int maxEntries() {
        return maxEntries;
    }

    /**
     * Maps {@code key} to {@code offset} (replacing its earlier offset). Returns false, changing
     * nothing, when the key is new and the map already holds {@code maxEntries} keys.
     */
    boolean put(byte[] key, long offset) {
        if (offset < 0) {
            throw new IllegalArgumentException("offsets are not negative: " + offset);
        }
        int slot = locate(key);
        if (offsets[slot] != EMPTY) {
            offsets[slot] = offset;
            return true;
        }
        if (size == maxEntries) {
            return false;
        }
        if ((size + 1) * 4L > offsets.length * 3L) {
            allocate(offsets.length * 2);
            slot = locate(key);
        }
        hashHigh[slot] = high;
        hashLow[slot] = low;
        offsets[slot] = offset;
        size++;
        return true;
    }

    /** The offset mapped for {@code key}, or -1 if it was not seen. */
    long get(byte[] key) {
        return offsets[locate(key)];
    }

    /** Hashes {@code key} into {@link #high}/{@link #low} and returns its slot or the free slot where it belongs. */
    private int locate(byte[] key) {
        byte[] digest = sha256.digest(key);
        high = bigEndianLong(digest, 0);
        low = bigEndianLong(digest, 8);
        int mask = offsets.length - 1;
        int slot = (int) low & mask;
        while (offsets[slot] != EMPTY && (hashHigh[slot] != high || hashLow[slot] != low)) {
            slot = (slot + 1) & mask;
        }
        return slot;
    }

    private void allocate(int slots) {
        long[] oldHigh = hashHigh;
        long[] oldLow = hashLow;
        long[] oldOffsets = offsets;
        hashHigh = new long[slots];
        hashLow = new long[slots];
        offsets = new long[slots];
        Arrays.fill(offsets, EMPTY);
        if (oldOffsets == null) {
            return;
        }
        int mask = slots - 1;
        for (int i = 0; i < oldOffsets.length; i++) {
            if (oldOffsets[i] == EMPTY) {
                continue;
            }
            int slot = (int) oldLow[i] & mask;
            while (offsets[slot] != EMPTY) {
                slot = (slot + 1) & mask;
            }
            hashHigh[slot] = oldHigh[i];
            hashLow[slot] = oldLow[i];
            offsets[slot] = oldOffsets[i];
        }
    }

    private static long bigEndianLong(byte[] b, int from) {
        long v = 0;
        for (int i = from; i < from + 8; i++) {
            v = (v << 8) | (b[i] & 0xff);
        }
        return v;
    }
}
