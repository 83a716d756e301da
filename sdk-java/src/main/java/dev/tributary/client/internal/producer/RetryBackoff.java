package dev.tributary.client.internal.producer;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with jitter: {@code retry.backoff.ms} doubled per earlier failure, capped at
 * {@code retry.backoff.max.ms}, then spread by ±20% (never above the cap) so that many producers
 * failing together do not retry in lockstep.
 */
final class RetryBackoff {
    static final double JITTER = 0.2;

    private final long baseNanos;
    private final long maxNanos;

    RetryBackoff(long baseNanos, long maxNanos) {
        this.baseNanos = baseNanos;
        this.maxNanos = maxNanos;
    }

    /** The wait before the retry that follows {@code failures} failures (1 for the first retry). */
    long delayNanos(int failures) {
        int doublings = Math.max(0, Math.min(failures - 1, 62));
        long exponential = baseNanos > (maxNanos >> doublings) ? maxNanos : Math.min(maxNanos, baseNanos << doublings);
        double factor = 1 + JITTER * (2 * ThreadLocalRandom.current().nextDouble() - 1);
        return Math.min(maxNanos, (long) (exponential * factor));
    }
}
