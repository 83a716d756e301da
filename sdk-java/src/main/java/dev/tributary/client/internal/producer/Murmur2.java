package dev.tributary.client.internal.producer;

/**
 * 32-bit MurmurHash2 (Austin Appleby's algorithm) with the seed {@code 0x9747b28c}: the hash
 * Kafka's default partitioner applies to serialized keys. Using the same function and seed means
 * a key lands on the same partition number as it did in Kafka, so applications that migrate keep
 * their key-to-partition mapping (and with it per-key order) for topics with the same partition
 * count.
 *
 * <p>The algorithm: {@code h = seed ^ length}; each whole 4-byte block, read little-endian as
 * {@code k}, is mixed ({@code k *= m; k ^= k >>> 24; k *= m}) and folded in ({@code h *= m; h ^=
 * k}); the 1-3 remaining bytes are xored into the low bytes of {@code h} (highest first), followed
 * by {@code h *= m}; finally {@code h ^= h >>> 13; h *= m; h ^= h >>> 15}. All arithmetic is
 * modulo 2^32, and {@code m = 0x5bd1e995}.
 */
public final class Murmur2 {
    /** The seed Kafka's partitioner uses. */
    public static final int SEED = 0x9747b28c;
    private static final int M = 0x5bd1e995;
    private static final int R = 24;

    private Murmur2() {}

    /** The 32-bit hash of {@code data}. */
    public static int hash(byte[] data) {
        int length = data.length;
        int h = SEED ^ length;
        int blocks = length >>> 2;
        for (int i = 0; i < blocks; i++) {
            int at = i << 2;
            int k = (data[at] & 0xff) | (data[at + 1] & 0xff) << 8 | (data[at + 2] & 0xff) << 16 | (data[at + 3] & 0xff) << 24;
            k *= M;
            k ^= k >>> R;
            k *= M;
            h *= M;
            h ^= k;
        }
        int tail = blocks << 2;
        int remaining = length & 3;
        if (remaining == 3) {
            h ^= (data[tail + 2] & 0xff) << 16;
        }
        if (remaining >= 2) {
            h ^= (data[tail + 1] & 0xff) << 8;
        }
        if (remaining >= 1) {
            h ^= data[tail] & 0xff;
            h *= M;
        }
        h ^= h >>> 13;
        h *= M;
        h ^= h >>> 15;
        return h;
    }

    /**
     * The partition of a serialized key among {@code partitions}: the hash with its sign bit
     * cleared, modulo the partition count (Kafka's mapping, so that negative hashes are spread
     * like positive ones).
     */
    public static int partition(byte[] key, int partitions) {
        if (partitions <= 0) {
            throw new IllegalArgumentException("partition count must be positive, not " + partitions);
        }
        return (hash(key) & 0x7fffffff) % partitions;
    }
}
