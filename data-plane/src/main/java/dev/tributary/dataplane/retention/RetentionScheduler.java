package dev.tributary.dataplane.retention;

import dev.tributary.dataplane.ownership.LocalPod;
import dev.tributary.dataplane.ownership.OwnedPartitionScheduler;
import dev.tributary.retention.RetentionEnforcer;
import dev.tributary.retention.RetentionResult;
import dev.tributary.storage.KeyValueStore;
import java.time.Duration;

/**
 * Runs retention (time and size, {@link RetentionEnforcer}) periodically on the partitions this pod
 * owns. Ownership makes each partition's retention the work of exactly one pod at a time; the
 * enforcer is safe even if two pods briefly overlap (they conflict on the log start key and one
 * retries), so ownership here only spreads the work, it does not guard correctness.
 */
public final class RetentionScheduler extends OwnedPartitionScheduler<RetentionScheduler.Pass> {
    /** What one pass did. */
    public record Pass(int partitions, long batchesDeleted, long bytesFreed, int failures) {}

    private final RetentionEnforcer enforcer;

    /** @param checkInterval {@code tributary.data-plane.retention.check-interval}: time between passes */
    public RetentionScheduler(KeyValueStore store, LocalPod pod, Duration checkInterval) {
        super(pod, "Retention", "tributary-retention", "tributary.data-plane.retention.check-interval", checkInterval);
        this.enforcer = new RetentionEnforcer(store);
    }

    @Override
    public Pass runOnce(long nowMillis) {
        Sweep<RetentionResult> sweep = forEachOwned(false,
                p -> enforcer.enforce(p.tenant(), p.topicId(), p.partition(), nowMillis));
        long deleted = 0;
        long freed = 0;
        for (RetentionResult r : sweep.results()) {
            deleted += r.batchesDeleted();
            freed += r.bytesFreed();
        }
        return new Pass(sweep.partitions(), deleted, freed, sweep.failures());
    }

    @Override
    protected String summary(Pass pass) {
        if (pass.batchesDeleted() == 0 && pass.failures() == 0) {
            return null;
        }
        return String.format("Retention: %d partitions checked, %d batches (%d bytes) deleted, %d failed",
                pass.partitions(), pass.batchesDeleted(), pass.bytesFreed(), pass.failures());
    }
}
