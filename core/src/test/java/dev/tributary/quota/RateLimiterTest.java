package dev.tributary.quota;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RateLimiterTest {
    private static final long MS = 1_000_000L;
    private static final long SECOND = 1_000 * MS;

    @Test
    void aRequestWhileTheBudgetIsPositiveProceedsEvenIfItDrivesItNegativeAndTheNextWaitsUntilItIsPositive() {
        RateLimiter limiter = new RateLimiter(SECOND, 5 * SECOND);
        long t = 1_000 * SECOND;
        Long limit = 1_000L; // per second; a full budget holds 1,000
        assertEquals(0, limiter.tryAcquire(600, limit, t));
        assertEquals(0, limiter.tryAcquire(3_400, limit, t)); // positive (400) when it arrived: accepted whole
        assertEquals(-3_000, limiter.budget(limit, t), 1e-6);
        // 3 s to climb back to 0, plus 1 ms so that the budget is positive at the retry.
        assertEquals(3_001 * MS, limiter.tryAcquire(1, limit, t));
        assertEquals(-3_000, limiter.budget(limit, t), 1e-6); // the refusal charged nothing
        assertEquals(1_001 * MS, limiter.tryAcquire(1, limit, t + 2 * SECOND));
        assertEquals(0, limiter.tryAcquire(1, limit, t + 3_001 * MS));
    }

    @Test
    void theBudgetRefillsAtTheRateUpToTheBurst() {
        RateLimiter limiter = new RateLimiter(2 * SECOND, 5 * SECOND);
        Long limit = 100L;
        assertEquals(200, limiter.budget(limit, 0), 1e-6);
        limiter.record(150, limit, 0);
        assertEquals(50, limiter.budget(limit, 0), 1e-6);
        assertEquals(100, limiter.budget(limit, SECOND / 2), 1e-6);
        assertEquals(200, limiter.budget(limit, 100 * SECOND), 1e-6);
        // A lower limit caps the budget saved under the old one.
        assertEquals(20, limiter.budget(10L, 100 * SECOND), 1e-6);
    }

    @Test
    void acceptedAmountStaysWithinTheRateOverTime() {
        RateLimiter limiter = new RateLimiter(SECOND, 5 * SECOND);
        Long limit = 10_000L;
        long accepted = 0;
        long t = 0;
        // A client that retries exactly when told, sending 3,000-byte requests for 60 simulated seconds.
        while (t < 60 * SECOND) {
            long delay = limiter.tryAcquire(3_000, limit, t);
            if (delay == 0) {
                accepted += 3_000;
                t += MS;
            } else {
                t += delay;
            }
        }
        // At most rate x time + burst + one request; and the client was never starved.
        assertTrue(accepted <= 10_000L * 60 + 10_000 + 3_000, "accepted " + accepted);
        assertTrue(accepted >= 10_000L * 60 * 0.95, "accepted " + accepted);
    }

    @Test
    void unlimitedNeverRefusesButIsMeasured() {
        RateLimiter limiter = new RateLimiter(SECOND, SECOND);
        for (int i = 0; i < 1_000; i++) {
            assertEquals(0, limiter.tryAcquire(1_000_000, null, i * MS));
        }
        // About 1e9 bytes per second for a whole meter window.
        double rate = limiter.measuredRate(1_000 * MS);
        assertTrue(rate > 0.55e9 && rate < 1.05e9, "rate " + rate);
        // The measurement decays when nothing happens.
        assertTrue(limiter.measuredRate(20 * SECOND) < rate / 1_000);
        assertEquals(0, new RateLimiter(SECOND, SECOND).measuredRate(5), 0);
    }

    @Test
    void becomingLimitedStartsWithAFullBudget() {
        RateLimiter limiter = new RateLimiter(SECOND, SECOND);
        limiter.record(1_000_000, null, 0);
        assertEquals(0, limiter.tryAcquire(10, 50L, MS));
        assertEquals(40, limiter.budget(50L, MS), 1e-6);
    }
}
