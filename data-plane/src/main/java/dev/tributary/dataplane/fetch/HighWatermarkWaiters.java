package dev.tributary.dataplane.fetch;

import dev.tributary.dataplane.PartitionRef;
import dev.tributary.log.PartitionLog;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Long-polls and subscriptions waiting for new data share ONE store watch per partition. The store
 * allows 10,000 outstanding watches, so a watch per waiter would let a few thousand idle consumers
 * exhaust it; here the number of watches is bounded by the number of partitions being waited on.
 *
 * <p>Each partition has at most one shared wait, "high watermark above T", on {@link
 * PartitionLog#awaitHighWatermarkAbove}. A waiter for "above O":
 * <ul>
 *   <li>O &lt; T: T was a high watermark someone read, so the high watermark is already above O:
 *       done at once;</li>
 *   <li>otherwise it joins the shared wait; when that completes with H, the waiter is done if
 *       H &gt; O, else it waits again (a new shared wait from O).</li>
 * </ul>
 * Every wait has a timeout. When the last waiter of a shared wait leaves, the shared wait is
 * cancelled, which releases its store watch.
 */
public final class HighWatermarkWaiters {
    /** What a wait that ran out of time completes with. */
    public static final long TIMED_OUT = -1;

    private final PartitionLog log;
    private final Map<PartitionRef, SharedWait> waits = new HashMap<>(); // guarded by this

    public HighWatermarkWaiters(PartitionLog log) {
        this.log = log;
    }

    private static final class SharedWait {
        final long threshold;
        final CompletableFuture<Long> future;
        int waiters;

        SharedWait(long threshold, CompletableFuture<Long> future) {
            this.threshold = threshold;
            this.future = future;
        }
    }

    /**
     * Completes with the high watermark once it is above {@code offset}, or with {@link #TIMED_OUT}
     * after {@code timeout}; exceptionally if the partition is gone. Complete the returned future
     * yourself (e.g. with TIMED_OUT) to stop waiting early. Completion may happen on a store or
     * timer thread: continue elsewhere for blocking work.
     */
    public CompletableFuture<Long> awaitAbove(PartitionRef partition, long offset, Duration timeout) {
        CompletableFuture<Long> waiter = new CompletableFuture<>();
        waiter.completeOnTimeout(TIMED_OUT, Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS);
        join(partition, offset, waiter);
        return waiter;
    }

    /** Shared waits outstanding (one store watch each, at most). */
    public synchronized int sharedWaits() {
        return waits.size();
    }

    private void join(PartitionRef partition, long offset, CompletableFuture<Long> waiter) {
        SharedWait shared;
        SharedWait created = null;
        synchronized (this) {
            if (waiter.isDone()) {
                return;
            }
            shared = waits.get(partition);
            if (shared != null && shared.future.isDone()) {
                waits.remove(partition); // completed or cancelled, its forget() not run yet
                shared = null;
            }
            if (shared != null && offset < shared.threshold) {
                waiter.complete(shared.threshold);
                return;
            }
            if (shared == null) {
                created = new SharedWait(offset, new CompletableFuture<>());
                waits.put(partition, created);
                shared = created;
            }
            shared.waiters++;
        }
        if (created != null) {
            // The store read that arms the watch runs outside the lock.
            SharedWait armed = created;
            armed.future.whenComplete((h, e) -> forget(partition, armed));
            CompletableFuture<Long> watch;
            try {
                watch = log.awaitHighWatermarkAbove(partition.tenant(), partition.topicId(), partition.partition(), offset);
            } catch (RuntimeException e) {
                watch = CompletableFuture.failedFuture(e);
            }
            CompletableFuture<Long> storeWait = watch;
            storeWait.whenComplete((h, e) -> {
                if (e != null) {
                    armed.future.completeExceptionally(e);
                } else {
                    armed.future.complete(h);
                }
            });
            armed.future.whenComplete((h, e) -> storeWait.cancel(false)); // cancelled: release the watch
        }
        SharedWait joined = shared;
        waiter.whenComplete((v, e) -> leave(joined));
        joined.future.whenComplete((h, e) -> {
            if (waiter.isDone()) {
                return;
            }
            if (e != null) {
                if (!joined.future.isCancelled()) {
                    waiter.completeExceptionally(e);
                } else {
                    join(partition, offset, waiter); // cancelled as the last others left just as we joined
                }
            } else if (h > offset) {
                waiter.complete(h);
            } else {
                join(partition, offset, waiter);
            }
        });
    }

    private synchronized void forget(PartitionRef partition, SharedWait shared) {
        waits.remove(partition, shared);
    }

    private void leave(SharedWait shared) {
        boolean cancel;
        synchronized (this) {
            shared.waiters--;
            cancel = shared.waiters == 0 && !shared.future.isDone();
        }
        if (cancel) {
            shared.future.cancel(false); // releases the store watch; forget() runs on completion
        }
    }
}
