package dev.tributary.dataplane.compaction;

import dev.tributary.compaction.CompactionOptions;
import dev.tributary.compaction.CompactionResult;
import dev.tributary.compaction.LogCompactor;
import dev.tributary.dataplane.ownership.LocalPod;
import dev.tributary.log.LogErrorCode;
import dev.tributary.log.LogException;
import dev.tributary.ownership.PartitionRef;
import dev.tributary.storage.KeyValueStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Runs log compaction ({@link LogCompactor}) periodically on the partitions this pod owns whose
 * topic has cleanup.policy=compact (the compactor reads each topic's policy and leaves the others
 * alone). Ownership makes a partition's compaction the work of one pod at a time; the compactor is
 * safe even if two pods briefly overlap (their transactions conflict on the log start key and one
 * retries), so ownership only spreads the work. Partitions are compacted one after the other on one
 * daemon thread of its own, so a long compaction never delays retention or ownership renewal, and
 * only one key map ({@code maxMapEntries}) is in memory at a time.
 */
public final class CompactionScheduler {
    private static final Logger LOG = Logger.getLogger(CompactionScheduler.class);

    /** What one pass over the owned partitions did. */
    public record Pass(int partitions, int compacted, long recordsRemoved, long tombstonesRemoved, long bytesFreed,
            int failures) {}

    private final LocalPod pod;
    private final LogCompactor compactor;
    private final long intervalMillis;
    private volatile ScheduledExecutorService timer;

    /**
     * @param checkInterval {@code tributary.data-plane.compaction.check-interval}: time between passes
     * @param maxMapEntries {@code tributary.data-plane.compaction.max-map-entries}: keys per pass
     * @param minDirtyRatio {@code tributary.data-plane.compaction.min-dirty-ratio}: new data worth a pass
     */
    public CompactionScheduler(KeyValueStore store, LocalPod pod, Duration checkInterval, int maxMapEntries,
            double minDirtyRatio) {
        this.pod = pod;
        this.intervalMillis = checkInterval.toMillis();
        if (intervalMillis < 1) {
            throw new IllegalArgumentException("tributary.data-plane.compaction.check-interval must be at least 1 ms");
        }
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

    /** Runs a pass every check interval from now on, on a daemon thread. */
    public void start() {
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tributary-compaction");
            t.setDaemon(true);
            return t;
        });
        // Fixed delay: a long pass (a large backlog) is not followed by a burst of passes.
        timer.scheduleWithFixedDelay(this::runQuietly, intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
    }

    /** Stops scheduling passes; a pass under way stops after its current partition. */
    public void stop() {
        if (timer != null) {
            timer.shutdownNow();
        }
    }

    private void runQuietly() {
        try {
            Pass pass = runOnce(System.currentTimeMillis());
            if (pass.compacted() > 0 || pass.failures() > 0) {
                LOG.infof("Compaction: %d partitions checked, %d compacted, %d records and %d tombstones (%d bytes) removed, "
                        + "%d failed", pass.partitions(), pass.compacted(), pass.recordsRemoved(), pass.tombstonesRemoved(),
                        pass.bytesFreed(), pass.failures());
            }
        } catch (RuntimeException e) {
            // Never let one bad pass end the schedule.
            LOG.warn("Compaction pass failed", e);
        }
    }

    /** One pass over the partitions this pod owns now, as of {@code nowMillis}. */
    public Pass runOnce(long nowMillis) {
        List<PartitionRef> owned;
        try {
            owned = new ArrayList<>(pod.pod().ownedPartitions().keySet());
        } catch (IllegalStateException e) {
            // Not registered (yet, or any more): nothing is owned.
            return new Pass(0, 0, 0, 0, 0, 0);
        }
        int compacted = 0;
        long removed = 0;
        long tombstones = 0;
        long freed = 0;
        int failures = 0;
        for (PartitionRef p : owned) {
            if (Thread.currentThread().isInterrupted()) {
                break; // stopped: the rest waits for the next pass (or the next owner)
            }
            try {
                CompactionResult r = compactor.compact(p.tenant(), p.topicId(), p.partition(), nowMillis);
                if (r.status() == CompactionResult.Status.COMPACTED) {
                    compacted++;
                }
                removed += r.recordsRemoved();
                tombstones += r.tombstonesRemoved();
                freed += r.bytesFreed();
            } catch (LogException e) {
                if (e.code() != LogErrorCode.UNKNOWN_TOPIC && e.code() != LogErrorCode.UNKNOWN_PARTITION) {
                    failures++;
                    LOG.warnf("Compaction of %s failed: %s", p, e.getMessage());
                }
                // A topic deleted since the ownership snapshot: nothing to compact.
            } catch (RuntimeException e) {
                failures++;
                LOG.warnf(e, "Compaction of %s failed", p);
            }
        }
        return new Pass(owned.size(), compacted, removed, tombstones, freed, failures);
    }
}
