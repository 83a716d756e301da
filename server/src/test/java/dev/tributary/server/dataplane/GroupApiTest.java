package dev.tributary.server.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.rpc.ErrorInfo;
import dev.tributary.api.v1.Acks;
import dev.tributary.api.v1.CommitOffsetsRequest;
import dev.tributary.api.v1.CommittedPartitionOffset;
import dev.tributary.api.v1.DeleteGroupRequest;
import dev.tributary.api.v1.DescribeGroupRequest;
import dev.tributary.api.v1.DescribeGroupResponse;
import dev.tributary.api.v1.FetchOffsetsRequest;
import dev.tributary.api.v1.GroupHeartbeatRequest;
import dev.tributary.api.v1.GroupHeartbeatResponse;
import dev.tributary.api.v1.GroupServiceGrpc;
import dev.tributary.api.v1.GroupState;
import dev.tributary.api.v1.LeaveGroupRequest;
import dev.tributary.api.v1.ListGroupsRequest;
import dev.tributary.api.v1.ListGroupsResponse;
import dev.tributary.api.v1.OffsetToCommit;
import dev.tributary.api.v1.OwnedPartitions;
import dev.tributary.api.v1.PartitionBatches;
import dev.tributary.api.v1.PartitionLag;
import dev.tributary.api.v1.ProduceRequest;
import dev.tributary.api.v1.ProduceServiceGrpc;
import dev.tributary.api.v1.ResetOffsetsRequest;
import dev.tributary.api.v1.ResetStrategy;
import dev.tributary.api.v1.TopicPartitions;
import dev.tributary.record.RecordBatch;
import dev.tributary.server.config.TributaryConfig;
import dev.tributary.server.testing.TestClient;
import dev.tributary.server.testing.TributaryTestServer;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Consumer groups over the real TLS gRPC listener with real tokens: cooperative assignment to
 * disjoint, complete partition sets, epoch-fenced commits, pub-sub between groups, lag, resets
 * only when empty, tenant isolation.
 */
@QuarkusTest
@WithTestResource(TributaryTestServer.class)
class GroupApiTest {
    private static final Metadata.Key<String> ERROR_CODE = Metadata.Key.of("tributary-error-code", Metadata.ASCII_STRING_MARSHALLER);
    private static final int PARTITIONS = 4;

    @TestHTTPResource(value = "/", tls = true)
    URL root;
    @Inject
    TributaryConfig config;

    private TestClient client;
    private String admin;
    private ManagedChannel channel;

    @BeforeEach
    void connect() throws Exception {
        client = TestClient.forServer(root, config.dataDir());
        admin = client.adminToken(config.dataDir());
        channel = client.grpcChannel();
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    /** A new tenant with a member service account allowed to produce, consume, use and delete groups; returns the member's token. */
    private String tenantMember(String tenant) throws Exception {
        String token = client.grantClientAcls(admin, tenant, client.tenantWithAccount(admin, tenant, "member"));
        client.grantAcl(admin, tenant, TestClient.principalOf(token), "delete", "group", "*");
        return token;
    }

    private void createTopic(String tenant, String name, int partitions) throws Exception {
        client.createTopic(admin, tenant, name, partitions, "{}");
    }

    private static String newTenantId() {
        return TestClient.uniqueId("grp");
    }

    private GroupServiceGrpc.GroupServiceBlockingStub groups(String token) {
        return GroupServiceGrpc.newBlockingStub(channel).withCallCredentials(TestClient.bearer(token))
                .withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    /** Produces {@code records} one-record batches to every partition. */
    private void produce(String token, String topic, int partition, int records) {
        PartitionBatches.Builder p = PartitionBatches.newBuilder().setPartition(partition);
        for (int i = 0; i < records; i++) {
            p.addBatches(ByteString.copyFrom(RecordBatch.builder()
                    .append(System.currentTimeMillis(), null, ("v" + i).getBytes(StandardCharsets.UTF_8)).build()));
        }
        ProduceServiceGrpc.newBlockingStub(channel).withCallCredentials(TestClient.bearer(token)).withDeadlineAfter(30, TimeUnit.SECONDS)
                .produce(ProduceRequest.newBuilder().setTopic(topic).addPartitions(p).setAcks(Acks.ACKS_DURABLE).build());
    }

    private static void assertGrpcError(Runnable call, Status.Code status, String code) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call::run);
        assertEquals(status, e.getStatus().getCode(), e.getStatus().toString());
        assertTrue(e.getStatus().getDescription().startsWith(code + ":"), e.getStatus().getDescription());
        assertEquals(code, e.getTrailers().get(ERROR_CODE));
        com.google.rpc.Status details = StatusProto.fromThrowable(e);
        assertNotNull(details, "status details");
        try {
            ErrorInfo info = details.getDetails(0).unpack(ErrorInfo.class);
            assertEquals(code, info.getReason());
            assertEquals("tributary.dev", info.getDomain());
        } catch (Exception ex) {
            throw new AssertionError(ex);
        }
    }

    /** A consumer as a client library would run it: reports what it holds, takes what it is given. */
    private final class Member {
        final String token;
        final String group;
        final List<String> topics;
        String id = "";
        int epoch;
        /** topic id -> partitions held; a TreeMap so that equal holdings compare equal. */
        Map<String, Set<Integer>> owned = new TreeMap<>();
        String topicName = "";

        Member(String token, String group, String... topics) {
            this.token = token;
            this.group = group;
            this.topics = List.of(topics);
        }

        GroupHeartbeatResponse heartbeat() {
            GroupHeartbeatRequest.Builder request = GroupHeartbeatRequest.newBuilder().setGroupId(group).setMemberId(id)
                    .setMemberEpoch(epoch);
            if (id.isEmpty()) {
                request.addAllSubscribedTopics(topics).setSessionTimeoutMs(30_000);
            } else {
                OwnedPartitions.Builder o = OwnedPartitions.newBuilder();
                owned.forEach((topicId, ps) -> o.addTopics(TopicPartitions.newBuilder().setTopicId(topicId).addAllPartitions(ps)));
                request.setOwnedPartitions(o);
            }
            GroupHeartbeatResponse answer = groups(token).heartbeat(request.build());
            id = answer.getMemberId();
            epoch = answer.getMemberEpoch();
            owned = new TreeMap<>();
            for (TopicPartitions t : answer.getAssignmentList()) {
                owned.put(t.getTopicId(), new TreeSet<>(t.getPartitionsList()));
                topicName = t.getTopic();
            }
            return answer;
        }

        Set<Integer> partitions() {
            Set<Integer> all = new TreeSet<>();
            owned.values().forEach(all::addAll);
            return all;
        }

        void leave() {
            groups(token).leaveGroup(LeaveGroupRequest.newBuilder().setGroupId(group).setMemberId(id).setMemberEpoch(epoch).build());
        }

        CommitOffsetsRequest commit(int memberEpoch, String topic, Map<Integer, Long> offsets) {
            CommitOffsetsRequest.Builder request = CommitOffsetsRequest.newBuilder().setGroupId(group).setMemberId(id)
                    .setMemberEpoch(memberEpoch);
            offsets.forEach((p, o) -> request.addOffsets(OffsetToCommit.newBuilder().setTopic(topic).setPartition(p).setOffset(o)
                    .setMetadata("by " + id)));
            return request.build();
        }
    }

    /** Heartbeats every member in turn until the group is STABLE (what clients do on their interval). */
    private void untilStable(String token, String group, Member... members) {
        for (int round = 0; round < 20; round++) {
            for (Member m : members) {
                m.heartbeat();
            }
            if (describe(token, group).getState() == GroupState.GROUP_STATE_STABLE) {
                return;
            }
        }
        throw new AssertionError("group " + group + " did not become stable: " + describe(token, group));
    }

    private DescribeGroupResponse describe(String token, String group) {
        return groups(token).describeGroup(DescribeGroupRequest.newBuilder().setGroupId(group).build());
    }

    @Test
    void membersSharePartitionsCommitAndGroupsAreIndependent() throws Exception {
        String tenant = newTenantId();
        String token = tenantMember(tenant);
        createTopic(tenant, "events", PARTITIONS);
        for (int p = 0; p < PARTITIONS; p++) {
            produce(token, "events", p, 5);
        }

        // The first member gets everything at once; the second joins and the partitions are shared.
        Member first = new Member(token, "billing", "events");
        GroupHeartbeatResponse joined = first.heartbeat();
        assertFalse(first.id.isEmpty());
        assertTrue(joined.getHeartbeatIntervalMs() > 0);
        assertEquals(Set.of(0, 1, 2, 3), first.partitions());
        assertEquals("events", first.topicName);
        int firstEpoch = first.epoch;

        Member second = new Member(token, "billing", "events");
        second.heartbeat();
        untilStable(token, "billing", first, second);
        Set<Integer> a = first.partitions();
        Set<Integer> b = second.partitions();
        assertEquals(2, a.size(), "uniform: " + a + " / " + b);
        assertEquals(2, b.size(), "uniform: " + a + " / " + b);
        Set<Integer> union = new HashSet<>(a);
        union.addAll(b);
        assertEquals(Set.of(0, 1, 2, 3), union, "every partition is assigned");
        assertTrue(a.stream().noneMatch(b::contains), "disjoint: " + a + " / " + b);
        assertTrue(first.epoch > firstEpoch, "the rebalance raised the first member's epoch");

        // Commit, then fetch back.
        Map<Integer, Long> firstOffsets = new TreeMap<>();
        a.forEach(p -> firstOffsets.put(p, 2L));
        Map<Integer, Long> secondOffsets = new TreeMap<>();
        b.forEach(p -> secondOffsets.put(p, 3L));
        List<CommittedPartitionOffset> written = groups(token).commitOffsets(first.commit(first.epoch, "events", firstOffsets))
                .getOffsetsList();
        assertEquals(2, written.size());
        assertEquals("events", written.get(0).getTopic());
        groups(token).commitOffsets(second.commit(second.epoch, "events", secondOffsets));
        Map<Integer, Long> fetched = new TreeMap<>();
        for (CommittedPartitionOffset o : groups(token).fetchOffsets(FetchOffsetsRequest.newBuilder().setGroupId("billing")
                .addTopics("events").build()).getOffsetsList()) {
            fetched.put(o.getPartition(), o.getOffset());
            assertEquals("events", o.getTopic());
            assertTrue(o.getMetadata().startsWith("by "));
            assertTrue(o.getCommitTimeMs() > 0);
        }
        Map<Integer, Long> expected = new TreeMap<>(firstOffsets);
        expected.putAll(secondOffsets);
        assertEquals(expected, fetched);

        // A zombie of the first member's earlier epoch cannot commit; nor can anyone for a partition it does not hold.
        assertGrpcError(() -> groups(token).commitOffsets(first.commit(firstEpoch, "events", firstOffsets)),
                Status.Code.FAILED_PRECONDITION, "STALE_MEMBER_EPOCH");
        assertGrpcError(() -> groups(token).commitOffsets(first.commit(first.epoch + 1, "events", firstOffsets)),
                Status.Code.FAILED_PRECONDITION, "FENCED_MEMBER_EPOCH");
        assertGrpcError(() -> groups(token).commitOffsets(first.commit(first.epoch, "events", secondOffsets)),
                Status.Code.FAILED_PRECONDITION, "NOT_ASSIGNED");
        assertGrpcError(() -> groups(token).commitOffsets(first.commit(first.epoch, "events", Map.of(a.iterator().next(), 99L))),
                Status.Code.INVALID_ARGUMENT, "INVALID_OFFSET");
        assertGrpcError(() -> groups(token).commitOffsets(CommitOffsetsRequest.newBuilder().setGroupId("billing").setMemberId("ghost")
                .setMemberEpoch(1).addOffsets(OffsetToCommit.newBuilder().setTopic("events").setOffset(1)).build()),
                Status.Code.FAILED_PRECONDITION, "UNKNOWN_MEMBER_ID");
        assertEquals(expected.size(), groups(token).fetchOffsets(FetchOffsetsRequest.newBuilder().setGroupId("billing").build())
                .getOffsetsCount(), "refused commits wrote nothing");

        // Another group on the same topic is independent: its single member gets every partition (pub-sub).
        Member other = new Member(token, "analytics", "events");
        other.heartbeat();
        untilStable(token, "analytics", other);
        assertEquals(Set.of(0, 1, 2, 3), other.partitions());
        assertEquals(Set.of(0, 1, 2, 3), union);

        // Describe: members, assignment, offsets, lag; producing more raises the lag.
        produce(token, "events", 0, 4);
        DescribeGroupResponse d = describe(token, "billing");
        assertEquals(GroupState.GROUP_STATE_STABLE, d.getState());
        assertEquals(2, d.getMembersCount());
        assertEquals(PARTITIONS, d.getPartitionsCount());
        for (PartitionLag lag : d.getPartitionsList()) {
            long hwm = lag.getPartition() == 0 ? 9 : 5;
            assertEquals("events", lag.getTopic());
            assertEquals(hwm, lag.getHighWatermark());
            assertEquals(expected.get(lag.getPartition()), lag.getCommittedOffset());
            assertEquals(hwm - expected.get(lag.getPartition()), lag.getLag());
            String holder = a.contains(lag.getPartition()) ? first.id : second.id;
            assertEquals(holder, lag.getMemberId());
        }
        d.getMembersList().forEach(m -> assertEquals(List.of("events"), m.getSubscribedTopicsList()));

        ListGroupsResponse page1 = groups(token).listGroups(ListGroupsRequest.newBuilder().setPageSize(1).build());
        assertEquals("analytics", page1.getGroups(0).getGroupId());
        assertFalse(page1.getNextPageToken().isEmpty());
        ListGroupsResponse page2 = groups(token).listGroups(ListGroupsRequest.newBuilder().setPageSize(1)
                .setPageToken(page1.getNextPageToken()).build());
        assertEquals("billing", page2.getGroups(0).getGroupId());
        assertEquals(2, page2.getGroups(0).getMembers());
        assertEquals("", page2.getNextPageToken());

        // Resets and delete need an empty group.
        ResetOffsetsRequest toEarliest = ResetOffsetsRequest.newBuilder().setGroupId("billing").setTopic("events")
                .setStrategy(ResetStrategy.RESET_STRATEGY_EARLIEST).build();
        assertGrpcError(() -> groups(token).resetOffsets(toEarliest), Status.Code.FAILED_PRECONDITION, "GROUP_NOT_EMPTY");
        assertGrpcError(() -> groups(token).deleteGroup(DeleteGroupRequest.newBuilder().setGroupId("billing").build()),
                Status.Code.FAILED_PRECONDITION, "GROUP_NOT_EMPTY");
        first.leave();
        second.leave();
        assertEquals(GroupState.GROUP_STATE_EMPTY, describe(token, "billing").getState());
        List<CommittedPartitionOffset> reset = groups(token).resetOffsets(toEarliest).getOffsetsList();
        assertEquals(PARTITIONS, reset.size());
        reset.forEach(o -> assertEquals(0, o.getOffset()));
        assertEquals(5, groups(token).resetOffsets(ResetOffsetsRequest.newBuilder().setGroupId("billing").setTopic("events")
                .setStrategy(ResetStrategy.RESET_STRATEGY_OFFSET).setOffset(5).addPartitions(1).build()).getOffsets(0).getOffset());
        assertGrpcError(() -> groups(token).resetOffsets(ResetOffsetsRequest.newBuilder().setGroupId("billing").setTopic("events")
                .setStrategy(ResetStrategy.RESET_STRATEGY_OFFSET).setOffset(6).addPartitions(1).build()),
                Status.Code.INVALID_ARGUMENT, "INVALID_OFFSET");
        assertGrpcError(() -> groups(token).resetOffsets(toEarliest.toBuilder().setStrategy(ResetStrategy.RESET_STRATEGY_UNSPECIFIED)
                .build()), Status.Code.INVALID_ARGUMENT, "INVALID_REQUEST");
        DescribeGroupResponse afterReset = describe(token, "billing");
        assertEquals(0, afterReset.getMembersCount());
        assertEquals(9, afterReset.getPartitions(0).getLag());
        assertEquals(0, afterReset.getPartitions(1).getLag());

        // The other group kept its member and is unaffected.
        assertEquals(1, describe(token, "analytics").getMembersCount());
        groups(token).deleteGroup(DeleteGroupRequest.newBuilder().setGroupId("billing").build());
        assertGrpcError(() -> describe(token, "billing"), Status.Code.NOT_FOUND, "UNKNOWN_GROUP");
        assertGrpcError(() -> groups(token).fetchOffsets(FetchOffsetsRequest.newBuilder().setGroupId("billing").build()),
                Status.Code.NOT_FOUND, "UNKNOWN_GROUP");
    }

    @Test
    void badRequestsGetPreciseCodes() throws Exception {
        String tenant = newTenantId();
        String token = tenantMember(tenant);
        createTopic(tenant, "events", 1);
        assertGrpcError(() -> groups(token).heartbeat(GroupHeartbeatRequest.newBuilder().setGroupId("g").build()),
                Status.Code.INVALID_ARGUMENT, "INVALID_REQUEST");
        assertGrpcError(() -> groups(token).heartbeat(GroupHeartbeatRequest.newBuilder().setGroupId("has space")
                .addSubscribedTopics("events").build()), Status.Code.INVALID_ARGUMENT, "INVALID_REQUEST");
        Member m = new Member(token, "g", "events");
        m.heartbeat();
        assertGrpcError(() -> groups(token).heartbeat(GroupHeartbeatRequest.newBuilder().setGroupId("g").setMemberId(m.id)
                .setMemberEpoch(m.epoch).setOwnedPartitions(OwnedPartitions.newBuilder()
                        .addTopics(TopicPartitions.newBuilder().setTopicId("events").addPartitions(0))).build()),
                Status.Code.INVALID_ARGUMENT, "INVALID_REQUEST");
        assertGrpcError(() -> groups(token).heartbeat(GroupHeartbeatRequest.newBuilder().setGroupId("g").setMemberId(m.id)
                .setMemberEpoch(m.epoch + 7).build()), Status.Code.FAILED_PRECONDITION, "FENCED_MEMBER_EPOCH");
        assertGrpcError(() -> groups(token).commitOffsets(m.commit(m.epoch, "nope", Map.of(0, 0L))), Status.Code.NOT_FOUND,
                "UNKNOWN_TOPIC_OR_PARTITION");
        assertGrpcError(() -> groups(token).listGroups(ListGroupsRequest.newBuilder().setPageSize(1001).build()),
                Status.Code.INVALID_ARGUMENT, "INVALID_REQUEST");
    }

    @Test
    void groupsAreTenantScopedAndCallsNeedATenantToken() throws Exception {
        String a = newTenantId();
        String b = newTenantId();
        String tokenA = tenantMember(a);
        String tokenB = tenantMember(b);
        createTopic(a, "events", 2);
        produce(tokenA, "events", 0, 3);
        Member member = new Member(tokenA, "shared-name", "events");
        member.heartbeat();
        Map<Integer, Long> offsets = Map.of(member.partitions().iterator().next(), 1L);
        groups(tokenA).commitOffsets(member.commit(member.epoch, "events", offsets));

        // B knows the group id, the member id and the epoch; they resolve in B's own subspace.
        assertGrpcError(() -> describe(tokenB, "shared-name"), Status.Code.NOT_FOUND, "UNKNOWN_GROUP");
        assertGrpcError(() -> groups(tokenB).commitOffsets(member.commit(member.epoch, "events", offsets)), Status.Code.NOT_FOUND,
                "UNKNOWN_TOPIC_OR_PARTITION");
        createTopic(b, "events", 2);
        produce(tokenB, "events", 0, 3);
        assertGrpcError(() -> groups(tokenB).commitOffsets(member.commit(member.epoch, "events", offsets)), Status.Code.NOT_FOUND,
                "UNKNOWN_GROUP");
        assertGrpcError(() -> groups(tokenB).leaveGroup(LeaveGroupRequest.newBuilder().setGroupId("shared-name")
                .setMemberId(member.id).setMemberEpoch(member.epoch).build()), Status.Code.FAILED_PRECONDITION, "UNKNOWN_MEMBER_ID");
        assertGrpcError(() -> groups(tokenB).deleteGroup(DeleteGroupRequest.newBuilder().setGroupId("shared-name").build()),
                Status.Code.NOT_FOUND, "UNKNOWN_GROUP");
        assertEquals(0, groups(tokenB).listGroups(ListGroupsRequest.getDefaultInstance()).getGroupsCount());
        // B's group of the same id is another group; A's is untouched.
        Member intruder = new Member(tokenB, "shared-name", "events");
        intruder.heartbeat();
        assertEquals(Set.of(0, 1), intruder.partitions());
        DescribeGroupResponse ofA = describe(tokenA, "shared-name");
        assertEquals(1, ofA.getMembersCount());
        assertEquals(member.id, ofA.getMembers(0).getMemberId());
        CommittedPartitionOffset kept = groups(tokenA).fetchOffsets(FetchOffsetsRequest.newBuilder().setGroupId("shared-name")
                .build()).getOffsets(0);
        assertEquals(offsets, Map.of(kept.getPartition(), kept.getOffset()));

        // A platform administrator belongs to no tenant; no token or a broken one is rejected first.
        assertGrpcError(() -> describe(admin, "shared-name"), Status.Code.PERMISSION_DENIED, "FORBIDDEN");
        StatusRuntimeException none = assertThrows(StatusRuntimeException.class, () -> GroupServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(10, TimeUnit.SECONDS).describeGroup(DescribeGroupRequest.newBuilder().setGroupId("shared-name").build()));
        assertEquals(Status.Code.UNAUTHENTICATED, none.getStatus().getCode());
        assertEquals("UNAUTHENTICATED", none.getTrailers().get(ERROR_CODE));
        StatusRuntimeException tampered = assertThrows(StatusRuntimeException.class, () -> GroupServiceGrpc.newBlockingStub(channel)
                .withCallCredentials(TestClient.bearer(tokenA.substring(0, tokenA.length() - 4) + "AAAA"))
                .withDeadlineAfter(10, TimeUnit.SECONDS).heartbeat(GroupHeartbeatRequest.newBuilder().setGroupId("shared-name")
                        .addSubscribedTopics("events").build()));
        assertEquals(Status.Code.UNAUTHENTICATED, tampered.getStatus().getCode());
        assertEquals(1, describe(tokenA, "shared-name").getMembersCount(), "rejected calls joined nobody");
    }
}
