package dev.tributary.dataplane.group;

import dev.tributary.acl.AclOperation;
import dev.tributary.acl.AclResourceType;
import dev.tributary.api.v1.CommitOffsetsRequest;
import dev.tributary.api.v1.CommitOffsetsResponse;
import dev.tributary.api.v1.CommittedPartitionOffset;
import dev.tributary.api.v1.DeleteGroupRequest;
import dev.tributary.api.v1.DeleteGroupResponse;
import dev.tributary.api.v1.DescribeGroupRequest;
import dev.tributary.api.v1.DescribeGroupResponse;
import dev.tributary.api.v1.FetchOffsetsRequest;
import dev.tributary.api.v1.FetchOffsetsResponse;
import dev.tributary.api.v1.GroupHeartbeatRequest;
import dev.tributary.api.v1.GroupHeartbeatResponse;
import dev.tributary.api.v1.GroupMember;
import dev.tributary.api.v1.GroupServiceGrpc;
import dev.tributary.api.v1.GroupSummary;
import dev.tributary.api.v1.LeaveGroupRequest;
import dev.tributary.api.v1.LeaveGroupResponse;
import dev.tributary.api.v1.ListGroupsRequest;
import dev.tributary.api.v1.ListGroupsResponse;
import dev.tributary.api.v1.OffsetToCommit;
import dev.tributary.api.v1.ResetOffsetsRequest;
import dev.tributary.api.v1.ResetOffsetsResponse;
import dev.tributary.api.v1.TopicPartitions;
import dev.tributary.controlplane.security.Caller;
import dev.tributary.dataplane.StorageExecutor;
import dev.tributary.dataplane.errors.DataPlaneErrors;
import dev.tributary.dataplane.quota.QuotaGate;
import dev.tributary.dataplane.security.DataPlaneAccess;
import dev.tributary.group.AssignedTopic;
import dev.tributary.group.CommittedOffset;
import dev.tributary.group.GroupCoordinator;
import dev.tributary.group.GroupDescription;
import dev.tributary.group.GroupListing;
import dev.tributary.group.GroupState;
import dev.tributary.group.HeartbeatRequest;
import dev.tributary.group.HeartbeatResponse;
import dev.tributary.group.MemberState;
import dev.tributary.group.OffsetCommit;
import dev.tributary.group.OffsetReset;
import dev.tributary.group.PartitionLag;
import dev.tributary.group.TopicPartition;
import dev.tributary.log.LogException;
import dev.tributary.topic.TopicId;
import dev.tributary.topic.TopicStore;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * {@code tributary.v1.GroupService}: a thin translation to {@link GroupCoordinator}, which holds
 * all the logic and makes each call one transaction. The tenant comes from the verified caller,
 * read on the invoking thread; the coordinator runs on the {@link StorageExecutor}.
 */
public final class GroupGrpcService extends GroupServiceGrpc.GroupServiceImplBase {
    static final int DEFAULT_PAGE_SIZE = 100;

    private final DataPlaneAccess access;
    private final GroupCoordinator groups;
    private final TopicStore topics;
    private final StorageExecutor executor;
    private final QuotaGate quotas;

    /** @param quotas every call counts against the tenant's request rate */
    public GroupGrpcService(DataPlaneAccess access, GroupCoordinator groups, TopicStore topics, StorageExecutor executor,
            QuotaGate quotas) {
        this.access = access;
        this.groups = groups;
        this.topics = topics;
        this.executor = executor;
        this.quotas = quotas;
    }

    @Override
    public void heartbeat(GroupHeartbeatRequest request, StreamObserver<GroupHeartbeatResponse> response) {
        serve(response, AclOperation.READ, request.getGroupId(), (caller, tenant) -> {
            // Joining with a subscription: DESCRIBE on each subscribed topic (Kafka's rule), so that
            // an assignment never reveals a topic the member may not see.
            for (String topic : request.getSubscribedTopicsList()) {
                access.requireTopic(caller, AclOperation.DESCRIBE, topic);
            }
            HeartbeatResponse answer = groups.heartbeat(tenant, request.getGroupId(), new HeartbeatRequest(request.getMemberId(),
                    request.getMemberEpoch(),
                    // Empty means "unchanged" on the wire; the coordinator says so with null.
                    request.getSubscribedTopicsCount() == 0 ? null : request.getSubscribedTopicsList(),
                    request.hasOwnedPartitions() ? owned(request.getOwnedPartitions().getTopicsList()) : null,
                    request.getSessionTimeoutMs()));
            GroupHeartbeatResponse.Builder out = GroupHeartbeatResponse.newBuilder().setMemberId(answer.memberId())
                    .setMemberEpoch(answer.memberEpoch()).setHeartbeatIntervalMs(answer.heartbeatIntervalMillis());
            for (AssignedTopic t : answer.assignment()) {
                out.addAssignment(TopicPartitions.newBuilder().setTopic(t.topic()).setTopicId(t.topicId().toString())
                        .addAllPartitions(t.partitions()));
            }
            return out.build();
        });
    }

    @Override
    public void leaveGroup(LeaveGroupRequest request, StreamObserver<LeaveGroupResponse> response) {
        serve(response, AclOperation.READ, request.getGroupId(), (caller, tenant) -> {
            groups.leave(tenant, request.getGroupId(), request.getMemberId(), request.getMemberEpoch());
            return LeaveGroupResponse.getDefaultInstance();
        });
    }

    @Override
    public void commitOffsets(CommitOffsetsRequest request, StreamObserver<CommitOffsetsResponse> response) {
        serve(response, AclOperation.READ, request.getGroupId(), (caller, tenant) -> {
            List<OffsetCommit> commits = new ArrayList<>();
            for (OffsetToCommit c : request.getOffsetsList()) {
                access.requireTopic(caller, AclOperation.READ, c.getTopic());
                commits.add(new OffsetCommit(c.getTopic(), c.getPartition(), c.getOffset(), c.getMetadata()));
            }
            List<CommittedOffset> written = groups.commitOffsets(tenant, request.getGroupId(), request.getMemberId(),
                    request.getMemberEpoch(), commits);
            return CommitOffsetsResponse.newBuilder().addAllOffsets(committed(new Names(tenant), written)).build();
        });
    }

    @Override
    public void fetchOffsets(FetchOffsetsRequest request, StreamObserver<FetchOffsetsResponse> response) {
        serve(response, AclOperation.DESCRIBE, request.getGroupId(), (caller, tenant) -> {
            Map<TopicPartition, CommittedOffset> offsets = groups.fetchOffsets(tenant, request.getGroupId(),
                    request.getTopicsCount() == 0 ? null : request.getTopicsList());
            return FetchOffsetsResponse.newBuilder().addAllOffsets(committed(new Names(tenant), offsets.values())).build();
        });
    }

    @Override
    public void listGroups(ListGroupsRequest request, StreamObserver<ListGroupsResponse> response) {
        serve(response, AclOperation.DESCRIBE, null, (caller, tenant) -> {
            int pageSize = request.getPageSize() == 0 ? DEFAULT_PAGE_SIZE : request.getPageSize();
            if (pageSize < 0 || pageSize > GroupCoordinator.MAX_LIST_PAGE) {
                throw DataPlaneErrors.invalidRequest("page_size must be in [1, " + GroupCoordinator.MAX_LIST_PAGE + "], not " + pageSize);
            }
            String after = request.getPageToken().isEmpty() ? null : request.getPageToken();
            // One more than the page tells whether another page follows (but never above the coordinator's limit).
            List<GroupListing> found = groups.listGroups(tenant, after, Math.min(pageSize + 1, GroupCoordinator.MAX_LIST_PAGE));
            boolean more = found.size() > pageSize || found.size() == GroupCoordinator.MAX_LIST_PAGE;
            List<GroupListing> page = found.subList(0, Math.min(pageSize, found.size()));
            ListGroupsResponse.Builder out = ListGroupsResponse.newBuilder();
            for (GroupListing g : page) {
                // Only the groups the caller may describe (as Kafka lists them); a page may hold fewer than page_size.
                if (!access.allowed(caller, AclOperation.DESCRIBE, AclResourceType.GROUP, g.groupId())) {
                    continue;
                }
                out.addGroups(GroupSummary.newBuilder().setGroupId(g.groupId()).setState(state(g.state())).setMembers(g.members())
                        .setGroupEpoch(g.groupEpoch()));
            }
            if (more && !page.isEmpty()) {
                out.setNextPageToken(page.get(page.size() - 1).groupId());
            }
            return out.build();
        });
    }

    @Override
    public void describeGroup(DescribeGroupRequest request, StreamObserver<DescribeGroupResponse> response) {
        serve(response, AclOperation.DESCRIBE, request.getGroupId(), (caller, tenant) -> {
            GroupDescription d = groups.describe(tenant, request.getGroupId());
            Names names = new Names(tenant);
            DescribeGroupResponse.Builder out = DescribeGroupResponse.newBuilder().setGroupId(d.groupId()).setState(state(d.state()))
                    .setGroupEpoch(d.groupEpoch()).setAssignmentEpoch(d.assignmentEpoch());
            for (PartitionLag p : d.partitions()) {
                names.learn(p.topicId(), p.topic());
            }
            for (MemberState m : d.members()) {
                out.addMembers(GroupMember.newBuilder().setMemberId(m.memberId()).setMemberEpoch(m.memberEpoch())
                        .setSessionTimeoutMs(m.sessionTimeoutMillis()).setSessionDeadlineMs(m.sessionDeadlineMillis())
                        .addAllSubscribedTopics(m.subscribedTopics()).addAllAssigned(byTopic(names, m.assigned()))
                        .addAllRevoking(byTopic(names, m.revoking())).addAllTarget(byTopic(names, m.target())));
            }
            for (PartitionLag p : d.partitions()) {
                out.addPartitionsBuilder().setTopic(p.topic() == null ? "" : p.topic()).setTopicId(p.topicId().toString())
                        .setPartition(p.partition()).setCommittedOffset(p.committedOffset()).setHighWatermark(p.highWatermark())
                        .setLag(p.lag()).setMemberId(p.memberId() == null ? "" : p.memberId());
            }
            return out.build();
        });
    }

    @Override
    public void resetOffsets(ResetOffsetsRequest request, StreamObserver<ResetOffsetsResponse> response) {
        serve(response, AclOperation.READ, request.getGroupId(), (caller, tenant) -> {
            access.requireTopic(caller, AclOperation.READ, request.getTopic());
            OffsetReset reset = switch (request.getStrategy()) {
                case RESET_STRATEGY_EARLIEST -> OffsetReset.earliest();
                case RESET_STRATEGY_LATEST -> OffsetReset.latest();
                case RESET_STRATEGY_TIMESTAMP -> OffsetReset.toTimestamp(request.getTimestampMs());
                case RESET_STRATEGY_OFFSET -> OffsetReset.toOffset(request.getOffset());
                default -> throw DataPlaneErrors.invalidRequest(
                        "strategy must be RESET_STRATEGY_EARLIEST, RESET_STRATEGY_LATEST, RESET_STRATEGY_TIMESTAMP or RESET_STRATEGY_OFFSET");
            };
            List<CommittedOffset> written = groups.resetOffsets(tenant, request.getGroupId(), request.getTopic(), reset,
                    request.getPartitionsCount() == 0 ? null : request.getPartitionsList());
            Names names = new Names(tenant);
            written.forEach(o -> names.learn(o.partition().topicId(), request.getTopic()));
            return ResetOffsetsResponse.newBuilder().addAllOffsets(committed(names, written)).build();
        });
    }

    @Override
    public void deleteGroup(DeleteGroupRequest request, StreamObserver<DeleteGroupResponse> response) {
        serve(response, AclOperation.DELETE, request.getGroupId(), (caller, tenant) -> {
            groups.deleteGroup(tenant, request.getGroupId());
            return DeleteGroupResponse.getDefaultInstance();
        });
    }

    /**
     * Reads the caller on the invoking thread (it is bound to it), then on the storage pool checks
     * {@code operation} on {@code group} (null: a listing, which filters instead) and runs {@code
     * call}, which checks what else it needs (topics) before it changes anything.
     */
    private <T> void serve(StreamObserver<T> response, AclOperation operation, String group, BiFunction<Caller, String, T> call) {
        Caller caller;
        try {
            caller = access.caller();
        } catch (RuntimeException e) {
            response.onError(DataPlaneErrors.toStatusException(e));
            return;
        }
        String tenant = caller.tenant();
        executor.execute(() -> {
            T answer;
            try {
                if (group != null) {
                    access.requireGroup(caller, operation, group);
                }
                quotas.admitRequest(tenant); // THROTTLED before the coordinator reads or writes anything
                answer = call.apply(caller, tenant);
            } catch (RuntimeException e) {
                response.onError(DataPlaneErrors.toStatusException(e));
                return;
            }
            response.onNext(answer);
            response.onCompleted();
        });
    }

    private static Set<TopicPartition> owned(List<TopicPartitions> topics) {
        Set<TopicPartition> owned = new HashSet<>();
        for (TopicPartitions t : topics) {
            TopicId id;
            try {
                id = TopicId.parse(t.getTopicId());
            } catch (IllegalArgumentException e) {
                throw DataPlaneErrors.invalidRequest("owned partitions name topics by topic_id (32 hex characters, as in the"
                        + " assignment), not '" + t.getTopicId() + "'");
            }
            for (int p : t.getPartitionsList()) {
                owned.add(new TopicPartition(id, p));
            }
        }
        return owned;
    }

    private static List<CommittedPartitionOffset> committed(Names names, Collection<CommittedOffset> offsets) {
        List<CommittedPartitionOffset> out = new ArrayList<>();
        for (CommittedOffset o : offsets) {
            TopicId id = o.partition().topicId();
            out.add(CommittedPartitionOffset.newBuilder().setTopic(names.of(id)).setTopicId(id.toString())
                    .setPartition(o.partition().partition()).setOffset(o.offset()).setMetadata(o.metadata())
                    .setCommitTimeMs(o.commitTimeMillis()).build());
        }
        return out;
    }

    private static List<TopicPartitions> byTopic(Names names, Collection<TopicPartition> partitions) {
        Map<TopicId, TopicPartitions.Builder> grouped = new LinkedHashMap<>();
        for (TopicPartition tp : partitions) { // sorted by topic id, then partition
            grouped.computeIfAbsent(tp.topicId(), id -> TopicPartitions.newBuilder().setTopic(names.of(id)).setTopicId(id.toString()))
                    .addPartitions(tp.partition());
        }
        return grouped.values().stream().map(TopicPartitions.Builder::build).toList();
    }

    private static dev.tributary.api.v1.GroupState state(GroupState state) {
        return switch (state) {
            case EMPTY -> dev.tributary.api.v1.GroupState.GROUP_STATE_EMPTY;
            case RECONCILING -> dev.tributary.api.v1.GroupState.GROUP_STATE_RECONCILING;
            case STABLE -> dev.tributary.api.v1.GroupState.GROUP_STATE_STABLE;
        };
    }

    /** Topic names for the ids the coordinator answers with: one lookup per topic per call; "" for a deleted topic. */
    private final class Names {
        final String tenant;
        final Map<TopicId, String> known = new HashMap<>();

        Names(String tenant) {
            this.tenant = tenant;
        }

        void learn(TopicId id, String name) {
            if (name != null) {
                known.putIfAbsent(id, name);
            }
        }

        String of(TopicId id) {
            return known.computeIfAbsent(id, i -> {
                try {
                    return topics.getById(tenant, i).name();
                } catch (LogException e) {
                    return "";
                }
            });
        }
    }
}
