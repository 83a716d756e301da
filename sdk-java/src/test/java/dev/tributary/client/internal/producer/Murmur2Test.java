package dev.tributary.client.internal.producer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class Murmur2Test {
    /**
     * Expected hashes computed with a separate implementation of MurmurHash2 (seed 0x9747b28c)
     * written from the algorithm's definition; they agree with Kafka 4.3.1's Utils.murmur2 for the
     * same inputs (checked once by hand, Kafka is not a dependency). Lengths 0-3 exercise every tail
     * case, the longer strings several blocks plus tails.
     */
    private static final Map<String, Integer> KNOWN = Map.of(
            "", 275646681,
            "a", -1563381124,
            "ab", 316155434,
            "abc", 479470107,
            "21", -973932308,
            "foobar", -790332482,
            "a-little-bit-long-string", -985981536,
            "a-little-bit-longer-string", -1486304829,
            "lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971,
            "order-1", 1221710326);

    @Test
    void hashesMatchTheKnownValues() {
        KNOWN.forEach((key, expected) -> assertEquals(expected, Murmur2.hash(key.getBytes(StandardCharsets.UTF_8)), key));
    }

    @Test
    void bytesAreReadUnsigned() {
        // High bytes must not sign-extend into the other bytes of a block or of the tail.
        assertEquals(998637092, Murmur2.hash(new byte[] {(byte) 0xff, (byte) 0xfe, (byte) 0xfd}));
    }

    @Test
    void partitionIsThePositiveHashModuloTheCount() {
        // Kafka's mapping: sign bit cleared, then modulo, so negative hashes spread like positive ones.
        assertEquals(0, Murmur2.partition("21".getBytes(StandardCharsets.UTF_8), 12));
        assertEquals(6, Murmur2.partition("foobar".getBytes(StandardCharsets.UTF_8), 12));
        assertEquals(10, Murmur2.partition("order-1".getBytes(StandardCharsets.UTF_8), 12));
        assertEquals(9, Murmur2.partition(new byte[0], 12));
        for (String key : KNOWN.keySet()) {
            byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
            assertEquals((Murmur2.hash(bytes) & 0x7fffffff) % 7, Murmur2.partition(bytes, 7));
            assertEquals(0, Murmur2.partition(bytes, 1));
        }
        assertThrows(IllegalArgumentException.class, () -> Murmur2.partition(new byte[1], 0));
    }

    @Test
    void keysSpreadEvenlyOverPartitions() {
        int partitions = 12;
        int keys = 120_000;
        int[] counts = new int[partitions];
        for (int i = 0; i < keys; i++) {
            counts[Murmur2.partition(("user-" + i).getBytes(StandardCharsets.UTF_8), partitions)]++;
        }
        for (int c : counts) {
            // 10,000 expected per partition; a fair hash stays within a few percent.
            assertTrue(c > 9_500 && c < 10_500, "uneven spread: " + java.util.Arrays.toString(counts));
        }
    }
}
