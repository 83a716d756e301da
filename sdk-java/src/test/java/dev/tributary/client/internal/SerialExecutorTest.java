package dev.tributary.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Tasks run one at a time in submission order on a pool of many threads, and a failing task stops none after it. */
class SerialExecutorTest {
    private final ExecutorService pool = Executors.newFixedThreadPool(8);

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    @Test
    @Timeout(30)
    void runsTasksOneAtATimeInSubmissionOrder() throws Exception {
        SerialExecutor serial = new SerialExecutor(pool);
        int tasks = 20_000;
        List<Integer> ran = new ArrayList<>(); // unsynchronized on purpose: only one task runs at a time
        AtomicInteger running = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(tasks);
        for (int i = 0; i < tasks; i++) {
            int n = i;
            serial.execute(() -> {
                if (running.incrementAndGet() != 1) {
                    overlaps.incrementAndGet();
                }
                if (n % 1000 == 0) {
                    Thread.yield(); // let other submissions pile up meanwhile
                }
                ran.add(n);
                running.decrementAndGet();
                done.countDown();
            });
        }
        assertTrue(done.await(20, TimeUnit.SECONDS));
        assertEquals(0, overlaps.get(), "tasks overlapped");
        for (int i = 0; i < tasks; i++) {
            assertEquals(i, ran.get(i));
        }
    }

    @Test
    @Timeout(30)
    void aFailingTaskDoesNotStopTheOnesAfterIt() throws Exception {
        SerialExecutor serial = new SerialExecutor(r -> pool.execute(() -> {
            Thread.currentThread().setUncaughtExceptionHandler((t, e) -> { }); // expected failure, keep the log clean
            r.run();
        }));
        CountDownLatch after = new CountDownLatch(1);
        serial.execute(() -> {
            throw new IllegalStateException("expected in this test");
        });
        serial.execute(after::countDown);
        assertTrue(after.await(10, TimeUnit.SECONDS));
    }
}
