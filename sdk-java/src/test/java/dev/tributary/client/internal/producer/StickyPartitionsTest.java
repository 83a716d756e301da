package dev.tributary.client.internal.producer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StickyPartitionsTest {
    @Test
    void staysOnOnePartitionUntilToldToMove() {
        StickyPartitions sticky = new StickyPartitions();
        int first = sticky.partition("t", 8);
        for (int i = 0; i < 100; i++) {
            assertEquals(first, sticky.partition("t", 8));
        }
    }

    @Test
    void movesToAnotherPartitionAndEventuallyVisitsAll() {
        StickyPartitions sticky = new StickyPartitions();
        int current = sticky.partition("t", 5);
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 500; i++) {
            int next = sticky.next("t", 5, current);
            assertNotEquals(current, next, "a move never stays on the partition whose batch was just closed");
            assertTrue(next >= 0 && next < 5);
            assertEquals(next, sticky.partition("t", 5));
            seen.add(next);
            current = next;
        }
        assertEquals(Set.of(0, 1, 2, 3, 4), seen);
    }

    @Test
    void aMoveAlreadyMadeByAnotherThreadStands() {
        StickyPartitions sticky = new StickyPartitions();
        int p = sticky.partition("t", 10);
        int moved = sticky.next("t", 10, p);
        // A second thread that also saw p's batch close must not move the topic again.
        assertEquals(moved, sticky.next("t", 10, p));
    }

    @Test
    void singlePartitionAndShrunkTopics() {
        StickyPartitions sticky = new StickyPartitions();
        assertEquals(0, sticky.partition("one", 1));
        assertEquals(0, sticky.next("one", 1, 0));
        int p = sticky.partition("t", 100);
        // Fewer partitions than the sticky one (a topic re-created smaller): a valid one is chosen.
        assertTrue(sticky.partition("t", Math.max(1, p)) < Math.max(1, p));
        assertTrue(sticky.partition("other", 3) < 3, "topics are independent");
    }
}
