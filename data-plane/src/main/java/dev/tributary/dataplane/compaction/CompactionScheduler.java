package dev.tributary.dataplane.compaction;

import dev.tributary.compaction.CompactionOptions;
import dev.tributary.compaction.CompactionResult;
import dev.tributary.compaction.LogCompactor;
import dev.tributary.dataplane.ownership.LocalPod;
import dev.tributary.dataplane.ownership.OwnedPartitionScheduler;
import dev.tributary.storage.KeyValueStore;
import java.time.Duration;

/**
 * Runs log compaction ({@link LogCompactor}) periodically on the partitions this pod owns whose
 * topic has cleanup.policy=compact (the compactor reads each topic's policy and leaves the others
 * alone). Ownership makes a partition's compaction the work of one pod at a time; the compactor is
 * safe even if two pods briefly overlap (their transactions conflict on the log start key and one
 * retries), so ownership only spreads the work. Partitions are compacted one after the other on one
 * daemon thread of its own, so a long compaction never delays retention or ownership renewal, and
 * only one key map ({@code maxMapEntries}) is in memory at a time. A pass under way when {@link
 * #stop} is called stops after its current partition.
 */
public final class CompactionScheduler extends OwnedPartitionScheduler<CompactionScheduler.Pass> {
    /** What one pass over the owned partitions did. */
    public record Pass(int partitions, int compacted, long recordsRemoved, long tombstonesRemoved, long bytesFreed,
            int failures) {}

    private final LogCompactor compactor;

    /**
     * @param checkInterval {@code tributary.data-plane.compaction.check-interval}: time between passes
     * @param maxMapEntries {@code tributary.data-plane.compaction.max-map-entries}: keys per pass
     * @param minDirtyRatio {@code tributary.data-plane.compaction.min-dirty-ratio}: new data worth a pass
     */
    public CompactionScheduler(KeyValueStore store, LocalPod pod, Duration checkInterval, int maxMapEntries,
            double minDirtyRatio) {
        super(pod, "Compaction", "tributary-compaction", "tributary.data-plane.compaction.check-interval", checkInterval);
        if (maxMapEntries < 1 || maxMapEntries > CompactionOptions.MAX_MAP_ENTRIES) {
            throw new IllegalArgumentException("tributary.data-plane.compaction.max-map-entries must be 1 to "
                    + CompactionOptions.MAX_MAP_ENTRIES + ", not " + maxMapEntries);
        }
        if (!(minDirtyRatio >= 0 && minDirtyRatio <= 1)) {
            throw new IllegalArgumentException("tributary.data-plane.compaction.min-dirty-ratio must be between 0 and 1, not "
                    + minDirtyRatio);
        }
        this.compactor = new LogCompactor(store,
                CompactionOptions.defaults().withMaxMapEntries(maxMapEntries).withMinDirtyRatio(minDirtyRatio));
    }

    @Override
    public Pass runOnce(long nowMillis) {
        Sweep<CompactionResult> sweep = forEachOwned(true,
                p -> compactor.compact(p.tenant(), p.topicId(), p.partition(), nowMillis));
        int compacted = 0;
        long removed = 0;
        long tombstones = 0;
        long freed = 0;
        for (CompactionResult r : sweep.results()) {
            if (r.status() == CompactionResult.Status.COMPACTED) {
                compacted++;
            }
            removed += r.recordsRemoved();
            tombstones += r.tombstonesRemoved();
            freed += r.bytesFreed();
        }
        return new Pass(sweep.partitions(), compacted, removed, tombstones, freed, sweep.failures());
    }

    @Override
    protected String summary(Pass pass) {
        if (pass.compacted() == 0 && pass.failures() == 0) {
            return null;
        }
        return String.format("Compaction: %d partitions checked, %d compacted, %d records and %d tombstones (%d bytes) removed, "
                + "%d failed", pass.partitions(), pass.compacted(), pass.recordsRemoved(), pass.tombstonesRemoved(),
                pass.bytesFreed(), pass.failures());
    }
}
