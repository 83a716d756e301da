package dev.tributary.group;

import static dev.tributary.group.GroupTestSupport.assertNoPartitionHeldTwice;
import static dev.tributary.group.GroupTestSupport.code;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.log.PartitionLog;
import dev.tributary.record.RecordBatch;
import dev.tributary.record.RecordBatchBuilder;
import dev.tributary.storage.embedded.EmbeddedStore;
import dev.tributary.topic.TopicMetadata;
import dev.tributary.topic.TopicStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GroupCoordinatorTest {
    static final String TENANT = "acme";
    static final String GROUP = "billing";

    @TempDir
    Path dir;
    EmbeddedStore store;
    TopicStore topics;
    PartitionLog log;
    final AtomicLong now = new AtomicLong(1_700_000_000_000L);
    GroupCoordinator groups;
    TopicMetadata orders;

    @BeforeEach
    void open() {
        store = EmbeddedStore.open(dir);
        topics = new TopicStore(store);
        log = new PartitionLog(store);
        groups = new GroupCoordinator(store, now::get, 3_000);
        orders = topics.create(TENANT, "orders", 6, Map.of());
    }

    @AfterEach
    void close() {
        store.close();
    }

    TopicPartition tp(int p) {
        return new TopicPartition(orders.id(), p);
    }

    Set<TopicPartition> tps(int... ps) {
        Set<TopicPartition> set = new HashSet<>();
        for (int p : ps) {
            set.add(tp(p));
        }
        return set;
    }

    HeartbeatResponse join(String group, String... topicNames) {
        return groups.heartbeat(TENANT, group, new HeartbeatRequest(null, 0, List.of(topicNames), null, 10_000));
    }

    HeartbeatResponse beat(String group, HeartbeatResponse last, Set<TopicPartition> owned) {
        return groups.heartbeat(TENANT, group, HeartbeatRequest.of(last.memberId(), last.memberEpoch(), owned));
    }

    void append(int partition, int records, long timestamp) {
        RecordBatchBuilder b = RecordBatch.builder();
        for (int i = 0; i < records; i++) {
            b.append(timestamp, null, ("v" + i).getBytes(StandardCharsets.UTF_8));
        }
        log.append(TENANT, orders.id(), partition, b.build(), 0);
    }

    @Test
    void joinRebalanceCooperativelyAndLeave() {
        HeartbeatResponse a = join(GROUP, "orders");
        assertEquals(tps(0, 1, 2, 3, 4, 5), a.partitions());
        assertEquals(List.of(new AssignedTopic("orders", orders.id(), List.of(0, 1, 2, 3, 4, 5))), a.assignment());
        assertEquals(3_000, a.heartbeatIntervalMillis());
        int epochA = a.memberEpoch();
        assertTrue(epochA > 0);

        // b joins: its target is half, but a still holds it, so b gets nothing yet.
        HeartbeatResponse b = join(GROUP, "orders");
        assertNotEquals(a.memberId(), b.memberId());
        assertEquals(Set.of(), b.partitions());
        assertNoPartitionHeldTwice(store, TENANT, GROUP);
        assertEquals(GroupState.RECONCILING, groups.describe(TENANT, GROUP).state());

        // a is told to give up 3, 4, 5 (its epoch stays until it acknowledges) ...
        a = beat(GROUP, a, a.partitions());
        assertEquals(tps(0, 1, 2), a.partitions());
        assertEquals(epochA, a.memberEpoch());
        // ... and may still commit them meanwhile.
        append(4, 3, 1);
        groups.commitOffsets(TENANT, GROUP, a.memberId(), a.memberEpoch(), List.of(new OffsetCommit("orders", 4, 2, "a")));
        b = beat(GROUP, b, b.partitions());
        assertEquals(Set.of(), b.partitions(), "not before a acknowledged");
        assertNoPartitionHeldTwice(store, TENANT, GROUP);

        a = beat(GROUP, a, a.partitions()); // acknowledges: owns only 0, 1, 2 now
        assertTrue(a.memberEpoch() > epochA);
        b = beat(GROUP, b, b.partitions());
        assertEquals(tps(3, 4, 5), b.partitions());
        assertEquals(a.memberEpoch(), b.memberEpoch());
        assertEquals(GroupState.STABLE, groups.describe(TENANT, GROUP).state());
        assertNoPartitionHeldTwice(store, TENANT, GROUP);

        // a leaves: b gets everything on its next heartbeat, without any wait.
        groups.leave(TENANT, GROUP, a.memberId(), a.memberEpoch());
        b = beat(GROUP, b, b.partitions());
        assertEquals(tps(0, 1, 2, 3, 4, 5), b.partitions());
        assertEquals(1, groups.describe(TENANT, GROUP).members().size());
        assertEquals(GroupErrorCode.UNKNOWN_MEMBER_ID,
                code(() -> groups.leave(TENANT, GROUP, "nobody", 1)));
    }

    @Test
    void sessionTimeoutRemovesSilentMembers() {
        HeartbeatResponse a = join(GROUP, "orders");
        HeartbeatResponse b = join(GROUP, "orders");
        a = beat(GROUP, a, a.partitions());
        a = beat(GROUP, a, a.partitions());
        b = beat(GROUP, b, b.partitions());
        assertEquals(3, b.partitions().size());
        // a goes silent; b keeps beating. After a's session (10 s) a is removed by b's heartbeat.
        for (int i = 0; i < 4; i++) {
            now.addAndGet(3_000);
            b = beat(GROUP, b, b.partitions());
        }
        assertEquals(tps(0, 1, 2, 3, 4, 5), beat(GROUP, b, b.partitions()).partitions());
        HeartbeatResponse zombie = a;
        assertEquals(GroupErrorCode.UNKNOWN_MEMBER_ID, code(() -> beat(GROUP, zombie, zombie.partitions())));
        assertEquals(GroupErrorCode.UNKNOWN_MEMBER_ID, code(() -> groups.commitOffsets(TENANT, GROUP, zombie.memberId(),
                zombie.memberEpoch(), List.of(new OffsetCommit("orders", 0, 0, "")))));

        // The sweeper removes expired members without any heartbeat.
        now.addAndGet(20_000);
        assertEquals(List.of(b.memberId()), groups.expireMembers(TENANT, GROUP));
        assertEquals(GroupState.EMPTY, groups.describe(TENANT, GROUP).state());
        assertEquals(GroupErrorCode.UNKNOWN_GROUP, code(() -> groups.expireMembers(TENANT, "nope")));
    }

    @Test
    void expiredMemberIsRejectedEvenBeforeBeingSwept() {
        HeartbeatResponse a = join(GROUP, "orders");
        now.addAndGet(10_000);
        assertEquals(GroupErrorCode.UNKNOWN_MEMBER_ID, code(() -> groups.commitOffsets(TENANT, GROUP, a.memberId(),
                a.memberEpoch(), List.of(new OffsetCommit("orders", 0, 0, "")))));
        assertEquals(GroupErrorCode.UNKNOWN_MEMBER_ID, code(() -> beat(GROUP, a, a.partitions())));
        assertTrue(GroupTestSupport.storedMembers(store, TENANT, GROUP).isEmpty(), "the failed heartbeat removed it");
    }

    @Test
    void zombiesAndStrangersAreFenced() {
        append(0, 5, 1);
        HeartbeatResponse a = join(GROUP, "orders");
        groups.commitOffsets(TENANT, GROUP, a.memberId(), a.memberEpoch(), List.of(new OffsetCommit("orders", 0, 1, "")));

        HeartbeatResponse b = join(GROUP, "orders");
        a = beat(GROUP, a, a.partitions());
        HeartbeatResponse before = a;
        a = beat(GROUP, a, a.partitions()); // acknowledged: new epoch
        assertTrue(a.memberEpoch() > before.memberEpoch());
        HeartbeatResponse current = a;
        assertEquals(GroupErrorCode.STALE_MEMBER_EPOCH, code(() -> groups.commitOffsets(TENANT, GROUP, before.memberId(),
                before.memberEpoch(), List.of(new OffsetCommit("orders", 0, 2, "")))));
        assertEquals(GroupErrorCode.FENCED_MEMBER_EPOCH, code(() -> groups.commitOffsets(TENANT, GROUP, current.memberId(),
                current.memberEpoch() + 5, List.of(new OffsetCommit("orders", 0, 2, "")))));
        assertEquals(GroupErrorCode.FENCED_MEMBER_EPOCH, code(() -> groups.heartbeat(TENANT, GROUP,
                HeartbeatRequest.of(current.memberId(), current.memberEpoch() + 1, null))));
        int notMine = tps(0, 1, 2, 3, 4, 5).stream().filter(tp -> !current.partitions().contains(tp)).findFirst()
                .orElseThrow().partition();
        assertEquals(GroupErrorCode.NOT_ASSIGNED, code(() -> groups.commitOffsets(TENANT, GROUP, current.memberId(),
                current.memberEpoch(), List.of(new OffsetCommit("orders", notMine, 0, "")))));
        assertEquals(GroupErrorCode.UNKNOWN_MEMBER_ID, code(() -> groups.commitOffsets(TENANT, GROUP, "stranger", 1,
                List.of(new OffsetCommit("orders", 0, 0, "")))));
        assertEquals(GroupErrorCode.UNKNOWN_GROUP, code(() -> groups.commitOffsets(TENANT, "other", current.memberId(), 1,
                List.of(new OffsetCommit("orders", 0, 0, "")))));

        // The same member id joining again (a restarted client) fences its earlier incarnation.
        HeartbeatResponse again = groups.heartbeat(TENANT, GROUP, new HeartbeatRequest(current.memberId(), 0,
                List.of("orders"), null, 10_000));
        assertTrue(again.memberEpoch() > current.memberEpoch());
        assertEquals(GroupErrorCode.STALE_MEMBER_EPOCH, code(() -> groups.commitOffsets(TENANT, GROUP, current.memberId(),
                current.memberEpoch(), List.of(new OffsetCommit("orders", 0, 0, "")))));
        assertNoPartitionHeldTwice(store, TENANT, GROUP);
        b = beat(GROUP, b, b.partitions());
    }

    @Test
    void commitFetchAndLag() {
        append(0, 5, 1);
        append(1, 2, 1);
        HeartbeatResponse a = join(GROUP, "orders");
        List<CommittedOffset> written = groups.commitOffsets(TENANT, GROUP, a.memberId(), a.memberEpoch(), List.of(
                new OffsetCommit("orders", 0, 3, "checkpoint-7"), new OffsetCommit("orders", 1, 2, null)));
        assertEquals(2, written.size());
        Map<TopicPartition, CommittedOffset> fetched = groups.fetchOffsets(TENANT, GROUP, List.of("orders"));
        assertEquals(3, fetched.get(tp(0)).offset());
        assertEquals("checkpoint-7", fetched.get(tp(0)).metadata());
        assertEquals(now.get(), fetched.get(tp(0)).commitTimeMillis());
        assertEquals("", fetched.get(tp(1)).metadata());
        assertEquals(fetched, groups.fetchOffsets(TENANT, GROUP, null));

        assertEquals(GroupErrorCode.INVALID_OFFSET, code(() -> groups.commitOffsets(TENANT, GROUP, a.memberId(),
                a.memberEpoch(), List.of(new OffsetCommit("orders", 0, 6, "")))));
        assertEquals(GroupErrorCode.INVALID_OFFSET, code(() -> groups.commitOffsets(TENANT, GROUP, a.memberId(),
                a.memberEpoch(), List.of(new OffsetCommit("orders", 0, -1, "")))));
        assertEquals(GroupErrorCode.UNKNOWN_TOPIC_OR_PARTITION, code(() -> groups.commitOffsets(TENANT, GROUP, a.memberId(),
                a.memberEpoch(), List.of(new OffsetCommit("orders", 6, 0, "")))));
        assertEquals(GroupErrorCode.UNKNOWN_TOPIC_OR_PARTITION, code(() -> groups.commitOffsets(TENANT, GROUP, a.memberId(),
                a.memberEpoch(), List.of(new OffsetCommit("nope", 0, 0, "")))));
        assertEquals(GroupErrorCode.INVALID_REQUEST, code(() -> groups.commitOffsets(TENANT, GROUP, a.memberId(),
                a.memberEpoch(), List.of(new OffsetCommit("orders", 0, 0, "x".repeat(4097))))));
        assertEquals(GroupErrorCode.UNKNOWN_GROUP, code(() -> groups.fetchOffsets(TENANT, "nope", null)));
        assertEquals(3, groups.fetchOffsets(TENANT, GROUP, null).get(tp(0)).offset(), "failed commits wrote nothing");

        GroupDescription d = groups.describe(TENANT, GROUP);
        assertEquals(6, d.partitions().size());
        PartitionLag p0 = d.partitions().stream().filter(l -> l.partition() == 0).findFirst().orElseThrow();
        assertEquals(new PartitionLag("orders", orders.id(), 0, 3, 5, 2, a.memberId()), p0);
        PartitionLag p1 = d.partitions().stream().filter(l -> l.partition() == 1).findFirst().orElseThrow();
        assertEquals(0, p1.lag());
        PartitionLag p2 = d.partitions().stream().filter(l -> l.partition() == 2).findFirst().orElseThrow();
        assertEquals(-1, p2.committedOffset());
        assertEquals(-1, p2.lag());
        assertEquals(1, d.members().size());
        assertEquals(GroupState.STABLE, d.state());
    }

    @Test
    void resetOffsetsOnlyWhenEmpty() {
        append(0, 2, 100);
        append(0, 2, 200);
        append(0, 2, 300);
        HeartbeatResponse a = join(GROUP, "orders");
        assertEquals(GroupErrorCode.GROUP_NOT_EMPTY,
                code(() -> groups.resetOffsets(TENANT, GROUP, "orders", OffsetReset.earliest(), null)));
        assertEquals(GroupErrorCode.GROUP_NOT_EMPTY, code(() -> groups.deleteGroup(TENANT, GROUP)));
        groups.leave(TENANT, GROUP, a.memberId(), a.memberEpoch());

        assertEquals(6, groups.resetOffsets(TENANT, GROUP, "orders", OffsetReset.latest(), null).size());
        assertEquals(6, groups.fetchOffsets(TENANT, GROUP, null).get(tp(0)).offset());
        assertEquals(0, groups.fetchOffsets(TENANT, GROUP, null).get(tp(3)).offset());
        groups.resetOffsets(TENANT, GROUP, "orders", OffsetReset.earliest(), List.of(0));
        assertEquals(0, groups.fetchOffsets(TENANT, GROUP, null).get(tp(0)).offset());
        groups.resetOffsets(TENANT, GROUP, "orders", OffsetReset.toTimestamp(150), List.of(0));
        assertEquals(2, groups.fetchOffsets(TENANT, GROUP, null).get(tp(0)).offset());
        groups.resetOffsets(TENANT, GROUP, "orders", OffsetReset.toTimestamp(999), List.of(0));
        assertEquals(6, groups.fetchOffsets(TENANT, GROUP, null).get(tp(0)).offset());
        groups.resetOffsets(TENANT, GROUP, "orders", OffsetReset.toOffset(5), List.of(0));
        assertEquals(5, groups.fetchOffsets(TENANT, GROUP, null).get(tp(0)).offset());
        assertEquals(GroupErrorCode.INVALID_OFFSET,
                code(() -> groups.resetOffsets(TENANT, GROUP, "orders", OffsetReset.toOffset(7), List.of(0))));
        assertEquals(GroupErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
                code(() -> groups.resetOffsets(TENANT, GROUP, "orders", OffsetReset.earliest(), List.of(9))));

        // A reset may create a group (prepare offsets before consumers start).
        groups.resetOffsets(TENANT, "fresh", "orders", OffsetReset.latest(), null);
        assertEquals(List.of(new GroupListing(GROUP, GroupState.EMPTY, 0, groups.describe(TENANT, GROUP).groupEpoch()),
                new GroupListing("fresh", GroupState.EMPTY, 0, 0)).stream().map(GroupListing::groupId).sorted().toList(),
                groups.listGroups(TENANT, null, 10).stream().map(GroupListing::groupId).toList());
        assertEquals(List.of("fresh"), groups.listGroups(TENANT, "billing", 10).stream().map(GroupListing::groupId).toList());
        assertEquals(1, groups.listGroups(TENANT, null, 1).size());

        groups.deleteGroup(TENANT, GROUP);
        assertEquals(GroupErrorCode.UNKNOWN_GROUP, code(() -> groups.fetchOffsets(TENANT, GROUP, null)));
        assertEquals(GroupErrorCode.UNKNOWN_GROUP, code(() -> groups.deleteGroup(TENANT, GROUP)));
        assertEquals(GroupErrorCode.UNKNOWN_GROUP, code(() -> groups.describe(TENANT, GROUP)));
        // A new group of the same name starts without the old offsets.
        join(GROUP, "orders");
        assertEquals(Map.of(), groups.fetchOffsets(TENANT, GROUP, null));
    }

    @Test
    void independentGroupsEachGetEveryPartition() {
        HeartbeatResponse x = join("analytics", "orders");
        HeartbeatResponse y = join("audit", "orders");
        assertEquals(tps(0, 1, 2, 3, 4, 5), x.partitions());
        assertEquals(tps(0, 1, 2, 3, 4, 5), y.partitions());
        append(2, 4, 1);
        groups.commitOffsets(TENANT, "analytics", x.memberId(), x.memberEpoch(), List.of(new OffsetCommit("orders", 2, 4, "")));
        groups.commitOffsets(TENANT, "audit", y.memberId(), y.memberEpoch(), List.of(new OffsetCommit("orders", 2, 1, "")));
        assertEquals(4, groups.fetchOffsets(TENANT, "analytics", null).get(tp(2)).offset());
        assertEquals(1, groups.fetchOffsets(TENANT, "audit", null).get(tp(2)).offset());
        // a member of one group is unknown to the other
        assertEquals(GroupErrorCode.UNKNOWN_MEMBER_ID, code(() -> groups.commitOffsets(TENANT, "audit", x.memberId(),
                x.memberEpoch(), List.of(new OffsetCommit("orders", 2, 1, "")))));
    }

    @Test
    void tenantsAreIsolated() {
        TopicMetadata globexOrders = topics.create("globex", "orders", 2, Map.of());
        HeartbeatResponse acme = join(GROUP, "orders");
        HeartbeatResponse globex = groups.heartbeat("globex", GROUP, HeartbeatRequest.join(List.of("orders")));
        assertEquals(6, acme.partitions().size());
        assertEquals(Set.of(new TopicPartition(globexOrders.id(), 0), new TopicPartition(globexOrders.id(), 1)),
                globex.partitions());
        assertEquals(GroupErrorCode.UNKNOWN_MEMBER_ID, code(() -> groups.commitOffsets("globex", GROUP, acme.memberId(),
                acme.memberEpoch(), List.of(new OffsetCommit("orders", 0, 0, "")))));
        assertEquals(1, groups.describe("globex", GROUP).members().size());
        assertEquals(GroupErrorCode.UNKNOWN_GROUP, code(() -> groups.describe("initech", GROUP)));
        assertEquals(List.of(), groups.listGroups("initech", null, 10));
    }

    @Test
    void subscriptionAndPartitionChangesReassign() {
        TopicMetadata audit = topics.create(TENANT, "audit", 2, Map.of());
        HeartbeatResponse a = join(GROUP, "orders");
        HeartbeatResponse b = join(GROUP, "audit");
        assertEquals(Set.of(new TopicPartition(audit.id(), 0), new TopicPartition(audit.id(), 1)), b.partitions());
        a = beat(GROUP, a, a.partitions());
        assertEquals(6, a.partitions().size());

        topics.addPartitions(TENANT, "orders", 8);
        a = beat(GROUP, a, a.partitions());
        assertEquals(tps(0, 1, 2, 3, 4, 5, 6, 7), a.partitions());

        // b subscribes to orders too: orders is split 4 / 4, audit stays with b.
        b = groups.heartbeat(TENANT, GROUP, new HeartbeatRequest(b.memberId(), b.memberEpoch(), List.of("audit", "orders"),
                b.partitions(), 0));
        for (int i = 0; i < 3; i++) {
            a = beat(GROUP, a, a.partitions());
            b = beat(GROUP, b, b.partitions());
            assertNoPartitionHeldTwice(store, TENANT, GROUP);
        }
        assertEquals(4, a.partitions().size());
        assertEquals(6, b.partitions().size());
        assertEquals(GroupState.STABLE, groups.describe(TENANT, GROUP).state());

        assertEquals(GroupErrorCode.INVALID_REQUEST, code(() -> join(GROUP)));
        assertEquals(GroupErrorCode.INVALID_REQUEST, code(() -> join("bad group", "orders")));
        assertEquals(GroupErrorCode.INVALID_REQUEST, code(() -> groups.heartbeat(TENANT, GROUP,
                new HeartbeatRequest(null, 0, List.of("orders"), null, 10))));
    }
}
