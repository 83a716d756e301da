package dev.tributary.ownership;

import dev.tributary.ownership.OwnershipKeySpace.OwnerRecord;
import dev.tributary.storage.KeyValue;
import dev.tributary.storage.KeyValueStore;
import dev.tributary.storage.Keys;
import dev.tributary.topic.TopicId;
import dev.tributary.topic.TopicMetadata;
import dev.tributary.topic.TopicStore;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * One data-plane pod's side of partition ownership (Pulsar's broker model over the store).
 *
 * <p><b>Leases.</b> A pod registers ({@code C + ("pod", id)}) with a random session number and
 * renews with {@link #heartbeat()}, which bumps a sequence number. A partition's ownership record
 * names (pod, session, epoch); its lease is the pod's lease, so one heartbeat renews every partition
 * the pod owns in one small write (a per-partition lease would cost one write per partition per
 * renewal) and renewal never changes an epoch. The record is valid while the pod's registration
 * with that session exists; registering again (restart) therefore drops every old ownership.
 *
 * <p><b>Time without clock agreement.</b> Nothing compares one pod's clock with another's. A pod
 * believes in its ownerships until {@code start of its last successful heartbeat + lease} on its own
 * monotonic clock. Another pod declares it dead only after having seen the same heartbeat sequence
 * number, unchanged, for a whole lease period on <em>its</em> clock, counted from a moment after
 * that heartbeat committed; then it deletes the registration in a transaction that checks the
 * sequence is still the same. So, with clocks that run at the same rate (whatever their offset), the
 * old owner's belief has ended before anyone can take its partitions. Even if that assumption fails
 * (a paused or drifting clock), data stays correct: taking a partition raises its leader epoch in
 * the same transaction, and {@code PartitionLog.append} with the old epoch fails with
 * FENCED_LEADER_EPOCH, in flight or later.
 *
 * <p><b>Balancing</b> ({@link #rebalance()}): deterministic fair shares. With N tracked partitions
 * and M live pods sorted by id, the pod at index i gets {@code N/M + (i < N%M ? 1 : 0)}. A pod
 * below its share claims free partitions (unowned, or owned by a session that is gone), preferring
 * them by rendezvous hash so that pods rarely race for the same ones; a pod above its share releases
 * the ones it likes least. At most {@code maxMovesPerRound} moves per round keep each round's work
 * bounded and movement gradual. Every claim and release is its own transaction.
 *
 * <p>Thread safety: the query methods ({@link #leaderEpoch}, {@link #ownedPartitions}) may be
 * called from any thread, e.g. by produce handlers; the mutating methods are serialized.
 */
public final class PodOwnership {
    public static final int DEFAULT_MAX_MOVES_PER_ROUND = 32;
    /** Ownership records read per read transaction while balancing: bounded work per transaction. */
    static final int RECORD_PAGE = 2_000;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final KeyValueStore store;
    private final String podId;
    private final String endpoint;
    private final long leaseMillis;
    private final int maxMovesPerRound;
    /** Monotonic milliseconds of this pod (e.g. System.nanoTime() / 1e6); only ever compared with itself. */
    private final LongSupplier clock;

    private volatile boolean registered;
    private volatile long leaseDeadline = Long.MIN_VALUE;
    private long session;
    private final Map<PartitionRef, Long> owned = new ConcurrentHashMap<>();
    /** Last heartbeat seen of every other pod, with when (on this pod's clock) it was first seen. */
    private final Map<String, Observation> observations = new HashMap<>();

    private record Observation(long session, long heartbeatSeq, long firstSeenAt) {}

    public PodOwnership(KeyValueStore store, String podId, String endpoint, long leaseMillis, int maxMovesPerRound,
            LongSupplier clock) {
        if (podId == null || podId.isEmpty() || podId.length() > 200) {
            throw new OwnershipException(OwnershipErrorCode.INVALID_REQUEST, "a pod id is 1 to 200 characters: " + podId);
        }
        if (endpoint == null || endpoint.isEmpty() || endpoint.length() > 1000) {
            throw new OwnershipException(OwnershipErrorCode.INVALID_REQUEST, "an endpoint is 1 to 1000 characters");
        }
        if (leaseMillis < 1 || maxMovesPerRound < 1) {
            throw new OwnershipException(OwnershipErrorCode.INVALID_REQUEST, "lease and moves per round must be positive");
        }
        this.store = store;
        this.podId = podId;
        this.endpoint = endpoint;
        this.leaseMillis = leaseMillis;
        this.maxMovesPerRound = maxMovesPerRound;
        this.clock = clock;
    }

    /** With the JVM's monotonic clock. */
    public PodOwnership(KeyValueStore store, String podId, String endpoint, long leaseMillis) {
        this(store, podId, endpoint, leaseMillis, DEFAULT_MAX_MOVES_PER_ROUND, () -> System.nanoTime() / 1_000_000);
    }

    public String podId() {
        return podId;
    }

    public String endpoint() {
        return endpoint;
    }

    /** Registers under a new session; ownerships of any earlier session of this pod id are dropped. */
    public synchronized void register() {
        long start = clock.getAsLong();
        long newSession = RANDOM.nextLong();
        owned.clear();
        store.run(tx -> {
            tx.set(OwnershipKeySpace.pod(podId), OwnershipKeySpace.encodePod(
                    new PodInfo(podId, endpoint, newSession, 0, leaseMillis, System.currentTimeMillis())));
            return null;
        });
        session = newSession;
        registered = true;
        leaseDeadline = start + leaseMillis;
    }

    /**
     * Renews the pod's lease, and with it the lease of every partition it owns (epochs unchanged).
     * Fails with POD_NOT_REGISTERED if another pod expired this one: all ownership is then lost.
     */
    public synchronized void heartbeat() {
        requireRegistered();
        long start = clock.getAsLong();
        long mySession = session;
        boolean renewed = store.run(tx -> {
            PodInfo current = OwnershipView.readPod(tx, podId);
            if (current == null || current.session() != mySession) {
                return false;
            }
            tx.set(OwnershipKeySpace.pod(podId), OwnershipKeySpace.encodePod(new PodInfo(podId, endpoint, mySession,
                    current.heartbeatSeq() + 1, leaseMillis, System.currentTimeMillis())));
            return true;
        });
        if (!renewed) {
            throw lost("the registration of pod '" + podId + "' was expired by another pod");
        }
        leaseDeadline = start + leaseMillis;
    }

    /** Heartbeat (registering again if needed) and one balancing round: what a pod runs periodically. */
    public synchronized RebalanceResult tick() {
        if (!registered) {
            register();
        } else {
            try {
                heartbeat();
            } catch (OwnershipException e) {
                if (e.code() != OwnershipErrorCode.POD_NOT_REGISTERED) {
                    throw e;
                }
                register();
            }
        }
        return rebalance();
    }

    /** True while this pod's own lease deadline has not passed. */
    public boolean leaseValid() {
        return registered && clock.getAsLong() < leaseDeadline;
    }

    /**
     * The leader epoch under which this pod may append to the partition, if it believes it owns it
     * now (owned and lease valid). Appends must carry it; the log fences it if it is stale anyway.
     */
    public OptionalLong leaderEpoch(PartitionRef partition) {
        Long epoch = owned.get(partition);
        return epoch != null && leaseValid() ? OptionalLong.of(epoch) : OptionalLong.empty();
    }

    /** Partitions this pod believes it owns now, with their epochs (empty once the lease lapsed). */
    public Map<PartitionRef, Long> ownedPartitions() {
        return leaseValid() ? Map.copyOf(owned) : Map.of();
    }

    /**
     * Takes ownership of a partition that is free (never owned, released, or owned by a session that
     * no longer exists) and returns the new leader epoch; returns the current epoch if this pod
     * already owns it. PARTITION_OWNED if a live pod owns it, UNKNOWN_PARTITION if the topic or
     * partition does not exist (a stale record for it is removed).
     */
    public synchronized long acquire(PartitionRef partition) {
        AcquireOutcome outcome = tryAcquire(partition);
        return switch (outcome.kind) {
            case ACQUIRED -> outcome.epoch;
            case OWNED_ELSEWHERE -> throw new OwnershipException(OwnershipErrorCode.PARTITION_OWNED,
                    partition + " is owned by pod '" + outcome.otherPod + "'");
            case GONE -> throw new OwnershipException(OwnershipErrorCode.UNKNOWN_PARTITION,
                    partition + " does not exist");
        };
    }

    private enum AcquireKind { ACQUIRED, OWNED_ELSEWHERE, GONE }

    private record AcquireOutcome(AcquireKind kind, long epoch, String otherPod) {}

    private AcquireOutcome tryAcquire(PartitionRef partition) {
        requireLease();
        long mySession = session;
        byte[] recordKey = OwnershipKeySpace.owner(partition);
        byte[] epochKey = OwnershipKeySpace.leaderEpoch(partition);
        AcquireOutcome outcome = store.run(tx -> {
            var meRead = tx.get(OwnershipKeySpace.pod(podId));
            var recordRead = tx.get(recordKey);
            var epochRead = tx.get(epochKey);
            byte[] me = meRead.join();
            // Reading our own registration makes this conflict with a concurrent expiry of this pod.
            if (me == null || OwnershipKeySpace.decodePod(podId, me).session() != mySession) {
                return null;
            }
            OwnerRecord record = OwnerRecord.decode(recordRead.join());
            if (record != null && record.owned()) {
                if (record.podId().equals(podId) && record.session() == mySession) {
                    return new AcquireOutcome(AcquireKind.ACQUIRED, record.epoch(), null);
                }
                PodInfo holder = OwnershipView.readPod(tx, record.podId());
                if (record.heldBy(holder)) {
                    return new AcquireOutcome(AcquireKind.OWNED_ELSEWHERE, record.epoch(), record.podId());
                }
            }
            TopicMetadata topic = TopicStore.readById(tx, partition.tenant(), partition.topicId());
            if (topic == null || partition.partition() >= topic.partitions()) {
                if (record != null) {
                    tx.clear(recordKey);
                }
                return new AcquireOutcome(AcquireKind.GONE, 0, null);
            }
            // The new epoch goes into the log's own epoch key in this transaction: from this commit
            // on, appends under any older epoch are fenced.
            long epoch = OwnershipKeySpace.decodeEpoch(epochRead.join()) + 1;
            tx.set(epochKey, OwnershipKeySpace.encodeEpoch(epoch));
            tx.set(recordKey, new OwnerRecord(podId, mySession, epoch).encode());
            return new AcquireOutcome(AcquireKind.ACQUIRED, epoch, null);
        });
        if (outcome == null) {
            throw lost("pod '" + podId + "' is no longer registered");
        }
        if (outcome.kind == AcquireKind.ACQUIRED) {
            owned.put(partition, outcome.epoch);
        }
        return outcome;
    }

    /**
     * Gives a partition up voluntarily (rebalancing). This pod stops believing it owns it before the
     * record changes, so no two pods believe at once; the epoch stays until the next owner raises it.
     * NOT_OWNER if this pod does not own it.
     */
    public synchronized void release(PartitionRef partition) {
        requireRegistered();
        owned.remove(partition);
        long mySession = session;
        byte[] recordKey = OwnershipKeySpace.owner(partition);
        boolean released = store.run(tx -> {
            OwnerRecord record = OwnerRecord.decode(tx.get(recordKey).join());
            if (record == null || !record.podId().equals(podId) || record.session() != mySession) {
                return false;
            }
            tx.set(recordKey, new OwnerRecord(OwnerRecord.NOBODY, 0, record.epoch()).encode());
            return true;
        });
        if (!released) {
            throw new OwnershipException(OwnershipErrorCode.NOT_OWNER, "pod '" + podId + "' does not own " + partition);
        }
    }

    /**
     * Shutdown: gives up everything at once by removing the registration (every record naming this
     * session becomes free immediately, no per-partition write), after dropping local belief.
     */
    public synchronized void deregister() {
        owned.clear();
        leaseDeadline = Long.MIN_VALUE;
        if (!registered) {
            return;
        }
        registered = false;
        long mySession = session;
        store.run(tx -> {
            PodInfo current = OwnershipView.readPod(tx, podId);
            if (current != null && current.session() == mySession) {
                tx.clear(OwnershipKeySpace.pod(podId));
            }
            return null;
        });
    }

    /**
     * Makes every partition of a topic known to the balancer (an unowned record for each partition
     * without one), so that pods claim them. Returns how many records were added. Topics have at
     * most 10,000 partitions, so this is one transaction of at most about 1 MB.
     */
    public int trackTopic(String tenant, TopicId topicId) {
        return store.run(tx -> {
            TopicMetadata topic = TopicStore.readById(tx, tenant, topicId);
            if (topic == null) {
                throw new OwnershipException(OwnershipErrorCode.UNKNOWN_PARTITION,
                        "no topic with id " + topicId + " in tenant '" + tenant + "'");
            }
            var range = OwnershipKeySpace.topicOwners(tenant, topicId).range();
            Set<Integer> present = new HashSet<>();
            for (KeyValue kv : tx.getRange(range.begin, range.end).join()) {
                present.add(OwnershipKeySpace.decodeOwnerKey(kv.key()).partition());
            }
            int added = 0;
            for (int p = 0; p < topic.partitions(); p++) {
                if (!present.contains(p)) {
                    tx.set(OwnershipKeySpace.owner(new PartitionRef(tenant, topicId, p)),
                            new OwnerRecord(OwnerRecord.NOBODY, 0, 0).encode());
                    added++;
                }
            }
            return added;
        });
    }

    /**
     * Forgets every ownership record of a topic (call after deleting it), so that the balancer
     * stops counting its partitions; owners drop them from their local view on their next round.
     */
    public void untrackTopic(String tenant, TopicId topicId) {
        var range = OwnershipKeySpace.topicOwners(tenant, topicId).range();
        store.run(tx -> {
            tx.clearRange(range.begin, range.end);
            return null;
        });
    }

    /** One balancing round; see the class comment. Requires a valid lease (heartbeat first). */
    public synchronized RebalanceResult rebalance() {
        requireLease();
        Map<String, PodInfo> pods = store.read(OwnershipView::readPods);
        long seenAt = clock.getAsLong(); // after the read: the heartbeats seen committed before this moment
        List<String> expired = new ArrayList<>();
        Map<String, PodInfo> live = new TreeMap<>(pods);
        for (PodInfo pod : pods.values()) {
            if (pod.podId().equals(podId)) {
                continue;
            }
            Observation seen = observations.get(pod.podId());
            if (seen == null || seen.session != pod.session() || seen.heartbeatSeq != pod.heartbeatSeq()) {
                observations.put(pod.podId(), new Observation(pod.session(), pod.heartbeatSeq(), seenAt));
            } else if (seenAt - seen.firstSeenAt >= Math.max(pod.leaseMillis(), leaseMillis) && expirePod(pod)) {
                expired.add(pod.podId());
                live.remove(pod.podId());
                observations.remove(pod.podId());
            }
        }
        observations.keySet().retainAll(pods.keySet());
        PodInfo me = live.get(podId);
        if (me == null || me.session() != session) {
            throw lost("pod '" + podId + "' is no longer registered");
        }

        List<PartitionRef> mine = new ArrayList<>();
        List<PartitionRef> free = new ArrayList<>();
        int total = readRecords(live, mine, free);
        List<String> ids = new ArrayList<>(live.keySet());
        int index = ids.indexOf(podId);
        int target = total / ids.size() + (index < total % ids.size() ? 1 : 0);

        List<PartitionRef> acquired = new ArrayList<>();
        List<PartitionRef> released = new ArrayList<>();
        if (mine.size() < target) {
            free.sort(Comparator.comparingLong((PartitionRef p) -> preference(podId, p)).reversed());
            int attempts = 0;
            for (PartitionRef p : free) {
                if (acquired.size() >= target - mine.size() || attempts++ >= 2 * maxMovesPerRound
                        || acquired.size() >= maxMovesPerRound) {
                    break;
                }
                if (tryAcquire(p).kind == AcquireKind.ACQUIRED) {
                    acquired.add(p);
                }
            }
        } else if (mine.size() > target) {
            mine.sort(Comparator.comparingLong((PartitionRef p) -> preference(podId, p)));
            for (PartitionRef p : mine.subList(0, Math.min(mine.size() - target, maxMovesPerRound))) {
                release(p);
                released.add(p);
            }
        }
        return new RebalanceResult(List.copyOf(acquired), List.copyOf(released), List.copyOf(expired), ids.size(),
                target, owned.size());
    }

    /**
     * Reads every ownership record, page by page (each page its own read transaction: the picture
     * may be slightly stale, which only costs a failed claim, since each claim re-checks in its own
     * transaction). Fills this pod's and the free partitions, reconciles the local owned map with
     * storage, and returns the number of tracked partitions.
     */
    private int readRecords(Map<String, PodInfo> live, List<PartitionRef> mine, List<PartitionRef> free) {
        var range = OwnershipKeySpace.OWNERS.range();
        byte[] begin = range.begin;
        int total = 0;
        Map<PartitionRef, Long> mineInStore = new HashMap<>();
        while (true) {
            byte[] from = begin;
            List<KeyValue> page = store.read(tx -> tx.getRange(from, range.end, RECORD_PAGE, false).join());
            for (KeyValue kv : page) {
                PartitionRef ref = OwnershipKeySpace.decodeOwnerKey(kv.key());
                OwnerRecord record = OwnerRecord.decode(kv.value());
                total++;
                PodInfo holder = live.get(record.podId());
                if (record.owned() && record.podId().equals(podId) && record.session() == session) {
                    mine.add(ref);
                    mineInStore.put(ref, record.epoch());
                } else if (!record.heldBy(holder)) {
                    free.add(ref);
                }
            }
            if (page.size() < RECORD_PAGE) {
                break;
            }
            begin = Keys.keyAfter(page.get(page.size() - 1).key());
        }
        owned.keySet().retainAll(mineInStore.keySet());
        owned.putAll(mineInStore);
        return total;
    }

    /** Deletes a dead pod's registration if its heartbeat is still the one observed unchanged for a lease period. */
    private boolean expirePod(PodInfo observed) {
        return store.run(tx -> {
            PodInfo current = OwnershipView.readPod(tx, observed.podId());
            if (current == null || current.session() != observed.session()
                    || current.heartbeatSeq() != observed.heartbeatSeq()) {
                return false;
            }
            tx.clear(OwnershipKeySpace.pod(observed.podId()));
            return true;
        });
    }

    /** Rendezvous (highest random weight) preference of a pod for a partition: deterministic, spread. */
    static long preference(String podId, PartitionRef p) {
        long h = mix(podId.hashCode() * 0x9E3779B97F4A7C15L);
        h = mix(h ^ p.tenant().hashCode());
        h = mix(h ^ p.topicId().hashCode());
        return mix(h ^ p.partition());
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
        z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return z ^ (z >>> 33);
    }

    private void requireRegistered() {
        if (!registered) {
            throw new OwnershipException(OwnershipErrorCode.POD_NOT_REGISTERED, "pod '" + podId + "' is not registered");
        }
    }

    private void requireLease() {
        requireRegistered();
        if (clock.getAsLong() >= leaseDeadline) {
            throw new OwnershipException(OwnershipErrorCode.LEASE_EXPIRED,
                    "pod '" + podId + "' has not renewed its lease within " + leaseMillis + " ms; heartbeat first");
        }
    }

    private OwnershipException lost(String message) {
        registered = false;
        owned.clear();
        leaseDeadline = Long.MIN_VALUE;
        return new OwnershipException(OwnershipErrorCode.POD_NOT_REGISTERED, message);
    }
}
