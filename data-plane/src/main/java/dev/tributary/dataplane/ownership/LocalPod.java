package dev.tributary.dataplane.ownership;

import dev.tributary.controlplane.topic.TopicChanged;
import dev.tributary.dataplane.errors.DataPlaneErrors;
import dev.tributary.dataplane.node.LocalNode;
import dev.tributary.ownership.OwnershipErrorCode;
import dev.tributary.ownership.OwnershipException;
import dev.tributary.ownership.OwnershipView;
import dev.tributary.ownership.PartitionOwner;
import dev.tributary.ownership.PartitionRef;
import dev.tributary.ownership.PodOwnership;
import dev.tributary.storage.KeyValueStore;
import dev.tributary.topic.TopicId;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * This node as a data-plane pod of partition ownership: registers a {@link PodOwnership} (pod id =
 * node id, endpoint = the advertised endpoint) at {@link #start}, renews its lease and balances
 * every third of the lease on a daemon thread, and deregisters at {@link #stop} so that other pods
 * may take its partitions at once instead of after a lease.
 *
 * <p>Produce asks it for the epoch to append with ({@link #appendEpoch}): a partition this pod owns
 * gives its lease epoch; a free one is acquired on the spot (on a single node, the first produce to
 * a partition acquires it); one owned by another live pod fails with NOT_OWNER naming that pod's
 * endpoint, so the client can redirect.
 */
public final class LocalPod {
    private static final Logger LOG = Logger.getLogger(LocalPod.class);

    private final KeyValueStore store;
    private final LocalNode node;
    private final long leaseMillis;
    private final OwnershipView view;
    private volatile PodOwnership pod;
    private volatile boolean stopped;
    private volatile ScheduledExecutorService ticker;

    /**
     * @param lease {@code tributary.data-plane.ownership.lease}: how long this pod's ownership lasts
     *     without a renewal
     */
    public LocalPod(KeyValueStore store, LocalNode node, Duration lease) {
        this.store = store;
        this.node = node;
        this.leaseMillis = lease.toMillis();
        if (leaseMillis < 3) {
            throw new IllegalArgumentException("tributary.data-plane.ownership.lease must be at least 3 ms");
        }
        this.view = new OwnershipView(store);
    }

    /** Registers (if the endpoint is known already) and starts renewing and balancing. */
    public void start() {
        try {
            pod(); // registers now if the listener's endpoint is known; otherwise the first tick does
        } catch (IllegalStateException e) {
            LOG.debugf("Partition ownership registers on the first tick: %s", e.getMessage());
        }
        ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tributary-ownership-" + node.nodeId());
            t.setDaemon(true); // never keeps the JVM alive; shutdown deregisters explicitly
            return t;
        });
        long period = leaseMillis / 3;
        // Fixed delay, not rate: a slow round (store stall) must not be followed by a burst of catch-up rounds.
        ticker.scheduleWithFixedDelay(this::tick, period, period, TimeUnit.MILLISECONDS);
    }

    /** Stops renewing and deregisters: every partition of this pod is free for others at once. */
    public void stop() {
        stopTicking();
        PodOwnership current = pod;
        if (current != null) {
            try {
                current.deregister();
            } catch (RuntimeException e) {
                // The store may be failing; the registration then simply expires after a lease.
                LOG.warnf("Could not deregister pod '%s' at shutdown: %s", current.podId(), e.toString());
            }
        }
    }

    /**
     * Stops renewing without a last word to storage, as a crash would: the registration stays until
     * another pod has seen it unrenewed for a whole lease and expires it. Meanwhile produce here is
     * refused (UNAVAILABLE), and this pod's own belief in its partitions ends with its lease anyway.
     */
    public void halt() {
        stopTicking();
    }

    private void stopTicking() {
        stopped = true;
        if (ticker != null) {
            ticker.shutdownNow();
            try {
                ticker.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void tick() {
        try {
            pod().tick();
        } catch (IllegalStateException e) {
            // The listener is not bound yet (a slow start): nothing to renew, the next round registers.
            LOG.debugf("Partition ownership round skipped: %s", e.getMessage());
        } catch (RuntimeException e) {
            // The next round retries; if renewals keep failing the lease lapses and produce answers
            // UNAVAILABLE until a round succeeds, which is what must happen when the store is unreachable.
            LOG.warnf("Partition ownership round failed: %s", e.toString());
        }
    }

    /**
     * The ownership of this pod, registered on first use (the endpoint is known once the listener is
     * bound). IllegalStateException while the endpoint is unknown, or if the pod stopped before it
     * ever registered (it must not register after its stop).
     */
    public PodOwnership pod() {
        PodOwnership current = pod;
        if (current == null) {
            synchronized (this) {
                current = pod;
                if (current == null) {
                    if (stopped) {
                        throw new IllegalStateException("pod '" + node.nodeId() + "' has stopped");
                    }
                    current = new PodOwnership(store, node.nodeId(), node.endpoint(), leaseMillis);
                    current.register();
                    pod = current;
                }
            }
        }
        return current;
    }

    /** Live owners of a topic's partitions, by partition number (partitions without an owner are absent). */
    public Map<Integer, PartitionOwner> owners(String tenant, TopicId topicId) {
        return view.owners(tenant, topicId);
    }

    /**
     * The leader epoch this pod appends to the partition with: its lease epoch if it owns it, else
     * the epoch of acquiring it now. Fails with NOT_OWNER (FAILED_PRECONDITION, {@code
     * owner_endpoint}) if another live pod owns it, UNAVAILABLE if this pod's lease has lapsed.
     */
    public long appendEpoch(PartitionRef partition) {
        if (stopped) {
            throw DataPlaneErrors.ownership(new OwnershipException(OwnershipErrorCode.POD_NOT_REGISTERED,
                    "this node is shutting down"), partition);
        }
        PodOwnership current = pod();
        OptionalLong owned = current.leaderEpoch(partition);
        return owned.isPresent() ? owned.getAsLong() : acquire(current, partition);
    }

    /**
     * After an append was fenced: the local belief was stale. Looks the partition up in storage
     * again (acquire answers the current epoch if this pod still owns it, takes it if it is free,
     * and fails if another pod owns it), so the caller retries at most once and never blindly.
     */
    public long recheck(PartitionRef partition) {
        return acquire(pod(), partition);
    }

    private long acquire(PodOwnership current, PartitionRef partition) {
        try {
            return current.acquire(partition);
        } catch (OwnershipException e) {
            if (e.code() == OwnershipErrorCode.PARTITION_OWNED) {
                Optional<PartitionOwner> owner = view.owner(partition);
                if (owner.isEmpty()) {
                    // The owner died or released it between the two reads: it is free now, take it.
                    try {
                        return current.acquire(partition);
                    } catch (OwnershipException again) {
                        throw DataPlaneErrors.ownership(again, partition, view.owner(partition).orElse(null));
                    }
                }
                throw DataPlaneErrors.ownership(e, partition, owner.get());
            }
            throw DataPlaneErrors.ownership(e, partition);
        }
    }

    /** Keeps the balancer's set of partitions in step with the topics (see {@link TopicChanged}). */
    public void onTopicChanged(TopicChanged change) {
        try {
            if (change.kind() == TopicChanged.Kind.DELETED) {
                pod().untrackTopic(change.tenant(), change.topic().id());
            } else {
                pod().trackTopic(change.tenant(), change.topic().id());
            }
        } catch (RuntimeException e) {
            // The topic change has committed and must not be reported as failed. An untracked
            // partition is still acquired by the first produce to it; a leftover record of a
            // deleted topic only skews balancing shares until a pod tries to claim it, which
            // removes it.
            LOG.warnf("Could not update partition ownership for %s of topic %s/%s: %s", change.kind(), change.tenant(),
                    change.topic().name(), e.toString());
        }
    }
}
