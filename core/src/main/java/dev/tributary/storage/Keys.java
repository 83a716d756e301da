package dev.tributary.storage;

import com.apple.foundationdb.tuple.ByteArrayUtil;
import com.apple.foundationdb.tuple.Tuple;
import com.apple.foundationdb.tuple.Versionstamp;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/** Byte-key helpers shared by the backends and the layers. */
public final class Keys {
    /** Keys at or above this byte are the store's own system space, as in FoundationDB. */
    public static final byte[] SYSTEM_PREFIX = {(byte) 0xff};

    private Keys() {}

    /** Unsigned lexicographic order: the order of keys in every backend. */
    public static int compare(byte[] a, byte[] b) {
        return ByteArrayUtil.compareUnsigned(a, b);
    }

    /** The first key strictly after {@code key}: {@code key + 0x00}. */
    public static byte[] keyAfter(byte[] key) {
        byte[] next = new byte[key.length + 1];
        System.arraycopy(key, 0, next, 0, key.length);
        return next;
    }

    /** The first key that does not start with {@code prefix} (FoundationDB's strinc). */
    public static byte[] prefixEnd(byte[] prefix) {
        return ByteArrayUtil.strinc(prefix);
    }

    public static boolean isSystemKey(byte[] key) {
        return key.length > 0 && (key[0] & 0xff) == 0xff;
    }

    /** Readable form for errors and logs, like FoundationDB's printable(). */
    public static String printable(byte[] bytes) {
        return bytes == null ? "null" : ByteArrayUtil.printable(bytes);
    }

    /**
     * Packs a tuple holding one incomplete {@link Versionstamp} at its top level into the operand of
     * {@link MutationType#SET_VERSIONSTAMPED_KEY} / {@code _VALUE}: the packed bytes followed by the
     * 4-byte little-endian position of the 10-byte placeholder.
     *
     * <p>fdb-java's own {@code Tuple.packWithVersionstamp()} asks the FoundationDB client for its API
     * version, which loads the native client library; this does the same packing in pure Java so that
     * layers work on the embedded store where no FoundationDB client is installed.
     */
    public static byte[] packWithVersionstamp(Tuple tuple) {
        return packWithVersionstamp(new byte[0], tuple);
    }

    /** As {@link #packWithVersionstamp(Tuple)}, with the packed tuple after {@code prefix} (a subspace's key). */
    public static byte[] packWithVersionstamp(byte[] prefix, Tuple tuple) {
        List<Object> items = tuple.getItems();
        int index = -1;
        for (int i = 0; i < items.size(); i++) {
            if (items.get(i) instanceof Versionstamp v && !v.isComplete()) {
                if (index >= 0) {
                    throw new IllegalArgumentException("tuple holds more than one incomplete versionstamp: " + tuple);
                }
                index = i;
            } else if (items.get(i) instanceof Tuple nested && nested.hasIncompleteVersionstamp()) {
                throw new IllegalArgumentException("incomplete versionstamps are supported at the top level only: " + tuple);
            }
        }
        if (index < 0) {
            throw new IllegalArgumentException("tuple has no incomplete versionstamp: " + tuple);
        }
        Versionstamp incomplete = (Versionstamp) items.get(index);
        List<Object> complete = new ArrayList<>(items);
        complete.set(index, Versionstamp.complete(new byte[StorageLimits.VERSIONSTAMP_BYTES], incomplete.getUserVersion()));
        byte[] packed = Tuple.fromList(complete).pack(prefix);
        // The placeholder follows the prefix, the items before it and the versionstamp's one-byte type code.
        int offset = prefix.length + Tuple.fromList(items.subList(0, index)).pack().length + 1;
        return ByteBuffer.allocate(packed.length + 4).order(ByteOrder.LITTLE_ENDIAN)
                .put(packed).putInt(offset).array();
    }
}
