package dev.tributary.dataplane.retention;

import dev.tributary.dataplane.ownership.LocalPod;
import dev.tributary.log.LogErrorCode;
import dev.tributary.log.LogException;
import dev.tributary.ownership.PartitionRef;
import dev.tributary.retention.RetentionEnforcer;
import dev.tributary.retention.RetentionResult;
import dev.tributary.storage.KeyValueStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Runs retention (time and size, {@link RetentionEnforcer}) periodically on the partitions this pod
 * owns. Ownership makes each partition's retention the work of exactly one pod at a time; the
 * enforcer is safe even if two pods briefly overlap (they conflict on the log start key and one
 * retries), so ownership here only spreads the work, it does not guard correctness.
 */
public final class RetentionScheduler {
    private static final Logger LOG = Logger.getLogger(RetentionScheduler.class);

    /** What one pass did. */
    public record Pass(int partitions, long batchesDeleted, long bytesFreed, int failures) {}

    private final LocalPod pod;
    private final RetentionEnforcer enforcer;
    private final long intervalMillis;
    private volatile ScheduledExecutorService timer;

    /** @param checkInterval {@code tributary.data-plane.retention.check-interval}: time between passes */
    public RetentionScheduler(KeyValueStore store, LocalPod pod, Duration checkInterval) {
        this.pod = pod;
        this.enforcer = new RetentionEnforcer(store);
        this.intervalMillis = checkInterval.toMillis();
        if (intervalMillis < 1) {
            throw new IllegalArgumentException("tributary.data-plane.retention.check-interval must be at least 1 ms");
        }
    }

    /** Runs a pass every check interval from now on, on a daemon thread. */
    public void start() {
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tributary-retention");
            t.setDaemon(true);
            return t;
        });
        // Fixed delay: a long pass (a large backlog after downtime) is not followed by a burst.
        timer.scheduleWithFixedDelay(this::runQuietly, intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
    }

    /** Stops scheduling passes and interrupts one under way. */
    public void stop() {
        if (timer != null) {
            timer.shutdownNow();
        }
    }

    private void runQuietly() {
        try {
            Pass pass = runOnce(System.currentTimeMillis());
            if (pass.batchesDeleted() > 0 || pass.failures() > 0) {
                LOG.infof("Retention: %d partitions checked, %d batches (%d bytes) deleted, %d failed",
                        pass.partitions(), pass.batchesDeleted(), pass.bytesFreed(), pass.failures());
            }
        } catch (RuntimeException e) {
            // Never let one bad pass end the schedule.
            LOG.warn("Retention pass failed", e);
        }
    }

    /** One pass over the partitions this pod owns now, as of {@code nowMillis}. */
    public Pass runOnce(long nowMillis) {
        List<PartitionRef> owned;
        try {
            owned = new ArrayList<>(pod.pod().ownedPartitions().keySet());
        } catch (IllegalStateException e) {
            // Not registered yet (listener port unknown): nothing is owned.
            return new Pass(0, 0, 0, 0);
        }
        long deleted = 0;
        long freed = 0;
        int failures = 0;
        for (PartitionRef p : owned) {
            try {
                RetentionResult r = enforcer.enforce(p.tenant(), p.topicId(), p.partition(), nowMillis);
                deleted += r.batchesDeleted();
                freed += r.bytesFreed();
            } catch (LogException e) {
                if (e.code() != LogErrorCode.UNKNOWN_TOPIC && e.code() != LogErrorCode.UNKNOWN_PARTITION) {
                    failures++;
                    LOG.warnf("Retention of %s failed: %s", p, e.getMessage());
                }
                // A topic deleted since the ownership snapshot: nothing to retain.
            } catch (RuntimeException e) {
                failures++;
                LOG.warnf(e, "Retention of %s failed", p);
            }
        }
        return new Pass(owned.size(), deleted, freed, failures);
    }
}
