package dev.tributary.client.internal.producer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RetryBackoffTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    @Test
    void doublesWithJitterUpToTheCap() {
        RetryBackoff backoff = new RetryBackoff(100 * MS, 1000 * MS);
        long[] expected = {100, 200, 400, 800, 1000, 1000};
        for (int failures = 1; failures <= expected.length; failures++) {
            long nominal = expected[failures - 1] * MS;
            long min = Long.MAX_VALUE;
            long max = 0;
            for (int i = 0; i < 2000; i++) {
                long d = backoff.delayNanos(failures);
                min = Math.min(min, d);
                max = Math.max(max, d);
            }
            assertTrue(min >= (long) (nominal * 0.8) - 1, failures + ": " + min);
            assertTrue(max <= Math.min(1000 * MS, (long) (nominal * 1.2) + 1), failures + ": " + max);
            assertTrue(max - min > nominal / 10, "jittered: " + min + ".." + max);
        }
        assertTrue(backoff.delayNanos(10_000) <= 1000 * MS, "no overflow after many failures");
    }

    @Test
    void zeroBackoffMeansNoWait() {
        assertEquals(0, new RetryBackoff(0, 0).delayNanos(5));
    }
}
