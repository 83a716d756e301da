package dev.tributary.compaction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class KeyOffsetMapTest {
    private static byte[] key(int i) {
        return ("key-" + i).getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void keepsTheLatestOffsetPerKeyAcrossGrowth() {
        KeyOffsetMap map = new KeyOffsetMap(100_000);
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < 50_000; i++) {
                assertTrue(map.put(key(i), round * 50_000L + i));
            }
        }
        assertEquals(50_000, map.size(), "replacing an offset adds no entry");
        for (int i = 0; i < 50_000; i++) {
            assertEquals(100_000L + i, map.get(key(i)));
        }
        assertEquals(-1, map.get(key(50_000)));
        assertEquals(-1, map.get(new byte[0]));
    }

    @Test
    void refusesNewKeysWhenFullButStillUpdatesKnownOnes() {
        KeyOffsetMap map = new KeyOffsetMap(3);
        assertTrue(map.put(key(1), 1));
        assertTrue(map.put(key(2), 2));
        assertTrue(map.put(key(3), 3));
        assertFalse(map.put(key(4), 4), "a fourth key does not fit");
        assertEquals(-1, map.get(key(4)));
        assertTrue(map.put(key(2), 20), "a known key is updated");
        assertEquals(20, map.get(key(2)));
        assertEquals(3, map.size());
    }

    @Test
    void boundsAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> new KeyOffsetMap(0));
        assertThrows(IllegalArgumentException.class, () -> new KeyOffsetMap(KeyOffsetMap.MAX_ENTRIES_LIMIT + 1));
        assertThrows(IllegalArgumentException.class, () -> new KeyOffsetMap(1).put(key(1), -1));
    }
}
