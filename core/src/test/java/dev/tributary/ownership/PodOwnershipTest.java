package dev.tributary.ownership;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.log.LogErrorCode;
import dev.tributary.log.LogException;
import dev.tributary.log.PartitionLog;
import dev.tributary.record.RecordBatch;
import dev.tributary.storage.embedded.EmbeddedStore;
import dev.tributary.topic.TopicMetadata;
import dev.tributary.topic.TopicStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PodOwnershipTest {
    static final String TENANT = "acme";
    static final long LEASE = 10_000;

    @TempDir
    Path dir;
    EmbeddedStore store;
    TopicStore topics;
    PartitionLog log;
    OwnershipView view;
    /** One controlled clock; pods get it with different offsets because their clocks need not agree. */
    final AtomicLong now = new AtomicLong(1_000_000);
    TopicMetadata orders;

    @BeforeEach
    void open() {
        store = EmbeddedStore.open(dir);
        topics = new TopicStore(store);
        log = new PartitionLog(store);
        view = new OwnershipView(store);
        orders = topics.create(TENANT, "orders", 12, Map.of());
    }

    @AfterEach
    void close() {
        store.close();
    }

    PodOwnership pod(String id, long clockOffset) {
        return new PodOwnership(store, id, id + ".svc:9443", LEASE, 4, () -> now.get() + clockOffset);
    }

    PartitionRef p(int partition) {
        return new PartitionRef(TENANT, orders.id(), partition);
    }

    static byte[] batch(String value) {
        return RecordBatch.builder().append(1L, null, value.getBytes(StandardCharsets.UTF_8)).build();
    }

    static OwnershipErrorCode code(Runnable r) {
        return assertThrows(OwnershipException.class, r::run).code();
    }

    @Test
    void registerHeartbeatAndExpiryWithSkewedClocks() {
        PodOwnership a = pod("a", 0);
        PodOwnership b = pod("b", -987_654_321); // b's clock is far behind a's: it must not matter
        a.register();
        b.register();
        assertEquals(List.of("a", "b"), view.pods().stream().map(PodInfo::podId).toList());
        assertEquals("a.svc:9443", view.pods().get(0).endpoint());

        // a keeps heartbeating: b never expires it, however long it watches.
        for (int i = 0; i < 10; i++) {
            now.addAndGet(LEASE / 2);
            a.heartbeat();
            b.heartbeat();
            assertEquals(List.of(), b.rebalance().expiredPods());
        }
        assertEquals(1 + 10, view.pods().get(0).heartbeatSeq() + 1);

        // a stops. Until its own lease deadline it still believes, and b does not expire it yet ...
        now.addAndGet(LEASE - 1);
        assertTrue(a.leaseValid());
        b.heartbeat();
        assertEquals(List.of(), b.rebalance().expiredPods());
        // ... from the deadline on, a no longer believes, and b (which has seen the same heartbeat
        // for a whole lease on its own clock) expires it: never both at once.
        now.addAndGet(1);
        assertFalse(a.leaseValid());
        assertEquals(OwnershipErrorCode.LEASE_EXPIRED, code(a::rebalance));
        assertEquals(List.of("a"), b.rebalance().expiredPods());
        assertEquals(List.of("b"), view.pods().stream().map(PodInfo::podId).toList());
        assertEquals(OwnershipErrorCode.POD_NOT_REGISTERED, code(a::heartbeat));

        // a comes back: registering again works; tick does it by itself.
        a.tick();
        assertEquals(2, view.pods().size());
    }

    @Test
    void acquireRenewRelease() {
        PodOwnership a = pod("a", 0);
        PodOwnership b = pod("b", 5_000);
        a.register();
        b.register();
        assertEquals(1, a.acquire(p(3)));
        assertEquals(1, a.acquire(p(3)), "acquiring what one owns is idempotent");
        assertEquals(1, log.leaderEpoch(TENANT, orders.id(), 3));
        assertEquals(1, a.leaderEpoch(p(3)).getAsLong());
        PartitionOwner owner = view.owner(p(3)).orElseThrow();
        assertEquals("a", owner.podId());
        assertEquals("a.svc:9443", owner.endpoint());
        assertEquals(1, owner.leaderEpoch());
        assertEquals(Map.of(3, owner), view.owners(TENANT, orders.id()));

        // Renewal over many lease periods keeps ownership and the epoch.
        for (int i = 0; i < 6; i++) {
            now.addAndGet(LEASE / 2);
            a.heartbeat();
            b.heartbeat();
            b.rebalance();
        }
        assertEquals(OwnershipErrorCode.PARTITION_OWNED, code(() -> b.acquire(p(3))));
        assertEquals(1, log.leaderEpoch(TENANT, orders.id(), 3));
        assertEquals("a", view.owner(p(3)).orElseThrow().podId());
        log.append(TENANT, orders.id(), 3, batch("x"), 1);

        a.release(p(3));
        assertTrue(a.leaderEpoch(p(3)).isEmpty());
        assertTrue(view.owner(p(3)).isEmpty());
        assertEquals(OwnershipErrorCode.NOT_OWNER, code(() -> a.release(p(3))));
        assertEquals(2, b.acquire(p(3)));
        assertEquals("b", view.owner(p(3)).orElseThrow().podId());

        assertEquals(OwnershipErrorCode.UNKNOWN_PARTITION, code(() -> a.acquire(p(12))));
        topics.delete(TENANT, "orders");
        assertEquals(OwnershipErrorCode.UNKNOWN_PARTITION, code(() -> a.acquire(p(5))));
    }

    @Test
    void takeoverAfterExpiryFencesTheOldOwner() {
        PodOwnership a = pod("a", 0);
        PodOwnership b = pod("b", 123_456);
        a.register();
        b.register();
        long epochA = a.acquire(p(0));
        assertEquals(0, log.append(TENANT, orders.id(), 0, batch("a-1"), epochA).baseOffset());

        b.rebalance(); // b sees a's current heartbeat
        assertEquals(OwnershipErrorCode.PARTITION_OWNED, code(() -> b.acquire(p(0))));
        now.addAndGet(LEASE);
        b.heartbeat();
        assertFalse(a.leaseValid());
        assertTrue(a.leaderEpoch(p(0)).isEmpty(), "a stops believing when its lease lapses");
        b.trackTopic(TENANT, orders.id());
        RebalanceResult round = b.rebalance();
        assertEquals(List.of("a"), round.expiredPods());
        assertTrue(round.acquired().contains(p(0)) || b.acquire(p(0)) > 0);
        long epochB = b.leaderEpoch(p(0)).getAsLong();
        assertEquals(epochA + 1, epochB);

        // The zombie's append with its old epoch is fenced; the new owner's goes on at the next offset.
        LogException fenced = assertThrows(LogException.class,
                () -> log.append(TENANT, orders.id(), 0, batch("a-2"), epochA));
        assertEquals(LogErrorCode.FENCED_LEADER_EPOCH, fenced.code());
        assertEquals(1, log.append(TENANT, orders.id(), 0, batch("b-1"), epochB).baseOffset());
    }

    @Test
    void concurrentAcquirersExactlyOneWins() throws Exception {
        int n = 8;
        List<PodOwnership> pods = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            PodOwnership pod = pod("pod-" + i, i * 1000L);
            pod.register();
            pods.add(pod);
        }
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            for (int partition = 0; partition < 4; partition++) {
                CountDownLatch start = new CountDownLatch(1);
                List<Future<Long>> results = new ArrayList<>();
                for (PodOwnership pod : pods) {
                    PartitionRef ref = p(partition);
                    results.add(pool.submit(() -> {
                        start.await();
                        try {
                            return pod.acquire(ref);
                        } catch (OwnershipException e) {
                            assertEquals(OwnershipErrorCode.PARTITION_OWNED, e.code());
                            return -1L;
                        }
                    }));
                }
                start.countDown();
                int winners = 0;
                for (Future<Long> f : results) {
                    if (f.get() > 0) {
                        winners++;
                        assertEquals(1L, f.get());
                    }
                }
                assertEquals(1, winners);
                assertEquals(1, log.leaderEpoch(TENANT, orders.id(), partition));
                int believers = 0;
                for (PodOwnership pod : pods) {
                    believers += pod.leaderEpoch(p(partition)).isPresent() ? 1 : 0;
                }
                assertEquals(1, believers);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** Ticks every running pod once, checking after each tick that no partition has two believers. */
    void round(List<PodOwnership> running) {
        for (PodOwnership pod : running) {
            pod.tick();
            assertNoDoubleBelief(running);
        }
    }

    void assertNoDoubleBelief(List<PodOwnership> pods) {
        Map<PartitionRef, String> believers = new HashMap<>();
        for (PodOwnership pod : pods) {
            for (PartitionRef ref : pod.ownedPartitions().keySet()) {
                String other = believers.put(ref, pod.podId());
                assertEquals(null, other, ref + " believed owned by " + other + " and " + pod.podId());
            }
        }
    }

    Map<String, Integer> counts(List<PodOwnership> pods) {
        Map<String, Integer> counts = new HashMap<>();
        for (PodOwnership pod : pods) {
            counts.put(pod.podId(), pod.ownedPartitions().size());
        }
        return counts;
    }

    @Test
    void balancingConvergesAndMovesOnJoinAndLeave() {
        TopicMetadata audit = topics.create(TENANT, "audit", 3, Map.of());
        PodOwnership a = pod("a", 0);
        PodOwnership b = pod("b", 77_777);
        PodOwnership c = pod("c", -55_555);
        a.trackTopic(TENANT, orders.id());
        a.trackTopic(TENANT, audit.id());
        assertEquals(0, b.trackTopic(TENANT, orders.id()), "tracking is idempotent");
        List<PodOwnership> running = new ArrayList<>(List.of(a, b, c));
        for (PodOwnership pod : running) {
            pod.register();
        }
        for (int r = 0; r < 6; r++) {
            now.addAndGet(1_000);
            round(running);
        }
        assertEquals(Map.of("a", 5, "b", 5, "c", 5), counts(running));
        assertEquals(12, view.owners(TENANT, orders.id()).size());
        assertEquals(3, view.owners(TENANT, audit.id()).size());
        Map<Integer, PartitionOwner> before = view.owners(TENANT, orders.id());

        // A steady state moves nothing and keeps epochs.
        now.addAndGet(1_000);
        round(running);
        assertEquals(before, view.owners(TENANT, orders.id()));

        // d joins: the others shed down to their share and d picks up what they shed.
        PodOwnership d = pod("d", 1);
        running.add(d);
        for (int r = 0; r < 8; r++) {
            now.addAndGet(1_000);
            round(running);
        }
        assertEquals(Map.of("a", 4, "b", 4, "c", 4, "d", 3), counts(running));
        Map<Integer, PartitionOwner> afterJoin = view.owners(TENANT, orders.id());
        long moved = before.keySet().stream().filter(k -> !before.get(k).podId().equals(afterJoin.get(k).podId())).count();
        assertTrue(moved <= 3, "only the partitions d needs move, moved " + moved);

        // b dies (stops ticking): after a lease, the others expire it and take over its partitions.
        running.remove(b);
        Map<PartitionRef, Long> ofB = b.ownedPartitions();
        for (int r = 0; r < 15; r++) {
            now.addAndGet(1_000);
            round(running);
            List<PodOwnership> all = new ArrayList<>(running);
            all.add(b);
            assertNoDoubleBelief(all);
        }
        assertEquals(Map.of("a", 5, "c", 5, "d", 5), counts(running));
        for (PartitionRef ref : ofB.keySet()) {
            PartitionOwner owner = view.owner(ref).orElseThrow();
            assertNotEquals("b", owner.podId());
            assertEquals(ofB.get(ref) + 1, owner.leaderEpoch(), "takeover raises the epoch by one");
        }

        // c shuts down cleanly: its partitions are free at once, no lease wait.
        c.deregister();
        running.remove(c);
        for (int r = 0; r < 6; r++) {
            now.addAndGet(1_000);
            round(running);
        }
        assertEquals(Map.of("a", 8, "d", 7), counts(running));
        Set<PartitionRef> all = new HashSet<>();
        for (PodOwnership pod : running) {
            all.addAll(pod.ownedPartitions().keySet());
        }
        assertEquals(15, all.size());

        // A deleted topic is untracked: its partitions leave the balance.
        topics.delete(TENANT, "audit");
        a.untrackTopic(TENANT, audit.id());
        for (int r = 0; r < 4; r++) {
            now.addAndGet(1_000);
            round(running);
        }
        assertEquals(Map.of("a", 6, "d", 6), counts(running));
        assertEquals(Map.of(), view.owners(TENANT, audit.id()));
    }
}
