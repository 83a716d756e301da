package dev.tributary.dataplane.ownership;

import dev.tributary.log.LogErrorCode;
import dev.tributary.log.LogException;
import dev.tributary.ownership.PartitionRef;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * A periodic pass over the partitions this pod owns, as retention and compaction run: {@link
 * #start} runs {@link #runOnce} every check interval on a daemon thread of its own, a pass that
 * fails is logged and never ends the schedule, and {@link #forEachOwned} does the work on each
 * partition owned at the start of the pass. Ownership makes a partition's work one pod's at a
 * time; the work itself must be safe if two pods briefly overlap.
 *
 * @param <P> what one pass did
 */
public abstract class OwnedPartitionScheduler<P> {
    /** What {@link #forEachOwned} did: the partitions owned, the results of those done, and how many failed. */
    protected record Sweep<R>(int partitions, List<R> results, int failures) {}

    private final Logger log = Logger.getLogger(getClass());
    private final LocalPod pod;
    private final String activity;
    private final String threadName;
    private final long intervalMillis;
    private volatile ScheduledExecutorService timer;

    /**
     * @param activity what a pass does, for the log ("Retention", "Compaction")
     * @param threadName the name of the daemon thread that runs the passes
     * @param intervalProperty the setting {@code checkInterval} comes from, for the error if it is too short
     * @param checkInterval time between passes
     */
    protected OwnedPartitionScheduler(LocalPod pod, String activity, String threadName, String intervalProperty,
            Duration checkInterval) {
        this.pod = pod;
        this.activity = activity;
        this.threadName = threadName;
        this.intervalMillis = checkInterval.toMillis();
        if (intervalMillis < 1) {
            throw new IllegalArgumentException(intervalProperty + " must be at least 1 ms");
        }
    }

    /** One pass over the partitions this pod owns now, as of {@code nowMillis}. */
    public abstract P runOnce(long nowMillis);

    /** The line to log after a scheduled pass, or null when there is nothing to report. */
    protected abstract String summary(P pass);

    /** Runs a pass every check interval from now on, on a daemon thread. */
    public void start() {
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
        // Fixed delay: a long pass (a large backlog) is not followed by a burst of passes.
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
            String summary = summary(runOnce(System.currentTimeMillis()));
            if (summary != null) {
                log.info(summary);
            }
        } catch (RuntimeException e) {
            // Never let one bad pass end the schedule.
            log.warn(activity + " pass failed", e);
        }
    }

    /**
     * Applies {@code work} to each partition this pod owns now, one after the other. A partition of
     * a topic deleted since the ownership snapshot (UNKNOWN_TOPIC, UNKNOWN_PARTITION) is passed over;
     * any other failure is logged and counted, and the pass goes on. When the pod is not registered
     * (yet, or any more), nothing is owned.
     *
     * @param stopWhenInterrupted end the pass before the next partition once {@link #stop} has
     *     interrupted it: the rest waits for the next pass (or the next owner)
     */
    protected final <R> Sweep<R> forEachOwned(boolean stopWhenInterrupted, Function<PartitionRef, R> work) {
        List<PartitionRef> owned;
        try {
            owned = new ArrayList<>(pod.pod().ownedPartitions().keySet());
        } catch (IllegalStateException e) {
            return new Sweep<>(0, List.of(), 0);
        }
        List<R> results = new ArrayList<>(owned.size());
        int failures = 0;
        for (PartitionRef p : owned) {
            if (stopWhenInterrupted && Thread.currentThread().isInterrupted()) {
                break;
            }
            try {
                results.add(work.apply(p));
            } catch (LogException e) {
                if (e.code() != LogErrorCode.UNKNOWN_TOPIC && e.code() != LogErrorCode.UNKNOWN_PARTITION) {
                    failures++;
                    log.warnf("%s of %s failed: %s", activity, p, e.getMessage());
                }
            } catch (RuntimeException e) {
                failures++;
                log.warnf(e, "%s of %s failed", activity, p);
            }
        }
        return new Sweep<>(owned.size(), results, failures);
    }
}
