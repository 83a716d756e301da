package dev.tributary.quota;

/**
 * One tenant's budget for one kind of rate (bytes produced, bytes fetched, requests) on this pod,
 * and the measured rate. Measure, then throttle: a budget that refills at the limit's rate up to
 * {@code burst} worth of it; a request that arrives while the budget is positive proceeds and is
 * charged in full, even if that takes the budget below zero (so a batch larger than the burst
 * still makes progress); while the budget is not positive, requests are refused with the time
 * until it is positive again. What was accepted is never taken back, so a refusal always concerns
 * a request that has not started. Over time the accepted amount is at most the rate times the
 * elapsed time, plus the burst, plus one request.
 *
 * <p>The measured rate is an exponentially weighted moving average of what was charged (time
 * constant {@code meterWindow}), limited or not: what the usage API and the metrics report.
 *
 * <p>Thread-safe; times are monotonic nanoseconds passed in by the caller (tests use their own).
 */
public final class RateLimiter {
    private static final long MILLI = 1_000_000L;

    private final long burstNanos;
    private final double meterTauNanos;
    /** Null while unlimited; set from the first limited call. */
    private Double budget;
    private long refilledAt;
    private double measured;
    private long measuredAt;
    private boolean anyMeasured;

    /**
     * @param burstNanos how much time's worth of the rate the budget holds when full (at least 1 ms)
     * @param meterWindowNanos time constant of the measured rate (at least 1 ms)
     */
    public RateLimiter(long burstNanos, long meterWindowNanos) {
        if (burstNanos < MILLI || meterWindowNanos < MILLI) {
            throw new IllegalArgumentException("burst and meter window must be at least 1 ms");
        }
        this.burstNanos = burstNanos;
        this.meterTauNanos = meterWindowNanos;
    }

    /**
     * Nanoseconds until a request may proceed under {@code limit} (per second; null = unlimited):
     * 0 if the budget is positive now. Charges nothing.
     */
    public synchronized long delayNanos(Long limit, long now) {
        if (limit == null) {
            budget = null;
            return 0;
        }
        refill(limit, now);
        if (budget > 0) {
            return 0;
        }
        // Whole milliseconds, plus one so that at the retry the budget is positive, not zero.
        double nanos = -budget / limit * 1e9;
        return ((long) Math.ceil(nanos / MILLI) + 1) * MILLI;
    }

    /**
     * Charges {@code cost} if the budget is positive now and returns 0; otherwise charges nothing
     * and returns the nanoseconds to wait, as {@link #delayNanos}.
     */
    public synchronized long tryAcquire(long cost, Long limit, long now) {
        long delay = delayNanos(limit, now);
        if (delay == 0) {
            record(cost, limit, now);
        }
        return delay;
    }

    /** Charges {@code cost} unconditionally: for what was already accepted (bytes read for a fetch that was admitted). */
    public synchronized void record(long cost, Long limit, long now) {
        if (limit != null) {
            refill(limit, now);
            budget -= cost;
        } else {
            budget = null;
        }
        measured = measuredRate(now) + cost * 1e9 / meterTauNanos;
        measuredAt = now;
        anyMeasured = true;
    }

    /** What was charged per second recently (exponentially weighted), at {@code now}. */
    public synchronized double measuredRate(long now) {
        if (!anyMeasured) {
            return 0;
        }
        long elapsed = Math.max(0, now - measuredAt);
        return measured * Math.exp(-elapsed / meterTauNanos);
    }

    /** The budget left at {@code now} under {@code limit}, for tests and diagnostics; +infinity when unlimited. */
    public synchronized double budget(Long limit, long now) {
        if (limit == null) {
            return Double.POSITIVE_INFINITY;
        }
        refill(limit, now);
        return budget;
    }

    private void refill(long limit, long now) {
        double capacity = limit * (burstNanos / 1e9);
        if (budget == null) {
            budget = capacity; // newly limited: a full budget
            refilledAt = now;
            return;
        }
        long elapsed = Math.max(0, now - refilledAt);
        refilledAt = now;
        // A lowered limit caps what was saved under the old one at once.
        budget = Math.min(capacity, budget + elapsed / 1e9 * limit);
    }
}
