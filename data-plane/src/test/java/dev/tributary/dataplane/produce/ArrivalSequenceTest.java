package dev.tributary.dataplane.produce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Work runs in ticket order whatever order the calls' handlers take their turn in; ended calls hold nothing up. */
class ArrivalSequenceTest {
    @Test
    void laterCallsWaitForEarlierOnesAndRunInArrivalOrder() {
        ArrivalSequence sequence = new ArrivalSequence();
        ArrivalSequence.Ticket first = sequence.next();
        ArrivalSequence.Ticket second = sequence.next();
        ArrivalSequence.Ticket third = sequence.next();
        List<String> ran = new ArrayList<>();
        third.inTurn(() -> ran.add("third"));
        second.inTurn(() -> ran.add("second"));
        assertEquals(List.of(), ran, "the first call has not taken its turn");
        assertEquals(3, sequence.waiting());
        first.inTurn(() -> ran.add("first"));
        assertEquals(List.of("first", "second", "third"), ran);
        assertEquals(0, sequence.waiting());
        ArrivalSequence.Ticket fourth = sequence.next();
        fourth.inTurn(() -> ran.add("fourth"));
        assertEquals("fourth", ran.get(3), "nothing before it: at once");
    }

    @Test
    void aCallThatEndsWithoutItsTurnHoldsNothingUpAndItsWorkNeverRuns() {
        ArrivalSequence sequence = new ArrivalSequence();
        ArrivalSequence.Ticket refused = sequence.next();
        ArrivalSequence.Ticket reset = sequence.next();
        ArrivalSequence.Ticket later = sequence.next();
        List<String> ran = new ArrayList<>();
        later.inTurn(() -> ran.add("later"));
        reset.inTurn(() -> ran.add("reset"));
        reset.release(); // its stream closed while it waited: its work is dropped
        assertEquals(List.of(), ran);
        refused.release(); // ended before its handler ran
        refused.release(); // idempotent
        assertEquals(List.of("later"), ran);
        later.release(); // after its turn: no effect
        assertEquals(0, sequence.waiting());
    }

    @Test
    @Timeout(30)
    void turnsTakenOnManyThreadsRunInArrivalOrderOneAtATime() throws Exception {
        ArrivalSequence sequence = new ArrivalSequence();
        int calls = 5_000;
        List<ArrivalSequence.Ticket> tickets = new ArrayList<>();
        for (int i = 0; i < calls; i++) {
            tickets.add(sequence.next());
        }
        List<Integer> order = new ArrayList<>(); // unsynchronized on purpose: work never overlaps
        List<Integer> shuffled = new ArrayList<>();
        for (int i = 0; i < calls; i++) {
            shuffled.add(i);
        }
        Collections.shuffle(shuffled, new java.util.Random(7));
        CountDownLatch done = new CountDownLatch(calls);
        ExecutorService threads = Executors.newFixedThreadPool(8);
        try {
            for (int i : shuffled) {
                threads.execute(() -> {
                    if (i % 10 == 3) {
                        tickets.get(i).release(); // some calls end without taking their turn
                        done.countDown();
                    } else {
                        tickets.get(i).inTurn(() -> {
                            order.add(i);
                            done.countDown();
                        });
                    }
                });
            }
            assertTrue(done.await(20, TimeUnit.SECONDS));
        } finally {
            threads.shutdownNow();
        }
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < calls; i++) {
            if (i % 10 != 3) {
                expected.add(i);
            }
        }
        assertEquals(expected, order);
        assertEquals(0, sequence.waiting());
    }
}
