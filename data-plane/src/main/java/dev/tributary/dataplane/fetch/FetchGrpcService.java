package dev.tributary.dataplane.fetch;

import com.google.protobuf.ByteString;
import dev.tributary.acl.AclOperation;
import dev.tributary.acl.AclResourceType;
import dev.tributary.api.v1.FetchRequest;
import dev.tributary.api.v1.FetchResponse;
import dev.tributary.api.v1.FetchServiceGrpc;
import dev.tributary.api.v1.ListOffsetsRequest;
import dev.tributary.api.v1.ListOffsetsResponse;
import dev.tributary.api.v1.MetadataRequest;
import dev.tributary.api.v1.MetadataResponse;
import dev.tributary.api.v1.NodeEndpoint;
import dev.tributary.api.v1.PartitionData;
import dev.tributary.api.v1.PartitionFetch;
import dev.tributary.api.v1.PartitionOffset;
import dev.tributary.api.v1.PartitionOffsetQuery;
import dev.tributary.api.v1.SubscribeRequest;
import dev.tributary.api.v1.SubscribeResponse;
import dev.tributary.api.v1.TopicInfo;
import dev.tributary.controlplane.security.Caller;
import dev.tributary.dataplane.PartitionRef;
import dev.tributary.dataplane.StorageExecutor;
import dev.tributary.dataplane.errors.DataPlaneErrors;
import dev.tributary.dataplane.node.LocalNode;
import dev.tributary.dataplane.ownership.LocalPod;
import dev.tributary.dataplane.quota.QuotaGate;
import dev.tributary.dataplane.security.DataPlaneAccess;
import dev.tributary.log.FetchResult;
import dev.tributary.log.LogErrorCode;
import dev.tributary.log.LogException;
import dev.tributary.log.PartitionLog;
import dev.tributary.log.PartitionOffsets;
import dev.tributary.log.TimestampOffset;
import dev.tributary.ownership.PartitionOwner;
import dev.tributary.topic.TopicMetadata;
import dev.tributary.topic.TopicStore;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * {@code tributary.v1.FetchService}: Fetch (with long-poll), ListOffsets, Metadata and Subscribe.
 * Handlers read the caller on the thread that invokes them and do every store access on the {@link
 * StorageExecutor}; waiting never holds a thread (it is a future on a shared watch).
 */
public final class FetchGrpcService extends FetchServiceGrpc.FetchServiceImplBase {
    /** Per-partition byte bound when the request gives none. */
    static final int DEFAULT_PARTITION_MAX_BYTES = 1024 * 1024;
    /** Topics Metadata lists when no names are given. */
    static final int METADATA_MAX_TOPICS = TopicStore.MAX_PAGE_SIZE;

    private final DataPlaneAccess access;
    private final TopicStore topics;
    private final PartitionLog log;
    private final HighWatermarkWaiters waiters;
    private final StorageExecutor executor;
    private final LocalNode localNode;
    private final LocalPod pod;
    private final Duration maxWait;
    private final QuotaGate quotas;

    /**
     * @param maxWait {@code tributary.data-plane.fetch.max-wait}: the longest a fetch long-polls, and
     *     how long an idle subscription waits before it looks again
     * @param quotas rates (a fetch over the tenant's fetch rate is THROTTLED, a subscription is delayed
     *     instead) and the tenant's concurrent streams
     */
    public FetchGrpcService(DataPlaneAccess access, TopicStore topics, PartitionLog log, HighWatermarkWaiters waiters,
            StorageExecutor executor, LocalNode localNode, LocalPod pod, Duration maxWait, QuotaGate quotas) {
        this.access = access;
        this.topics = topics;
        this.log = log;
        this.waiters = waiters;
        this.executor = executor;
        this.localNode = localNode;
        this.pod = pod;
        this.maxWait = maxWait;
        this.quotas = quotas;
    }

    // ------------------------------------------------------------------ Fetch

    @Override
    public void fetch(FetchRequest request, StreamObserver<FetchResponse> response) {
        Caller caller;
        try {
            caller = access.caller();
        } catch (RuntimeException e) {
            response.onError(DataPlaneErrors.toStatusException(e));
            return;
        }
        long maxWaitMs = Math.min(Math.max(0, request.getMaxWaitMs()), maxWait.toMillis());
        LongPoll poll = new LongPoll(caller, request, (ServerCallStreamObserver<FetchResponse>) response,
                System.nanoTime() + maxWaitMs * 1_000_000L);
        executor.execute(poll::attempt);
    }

    /** One fetch call: read, and if there is not enough yet, wait on the partitions' shared watches, then read again. */
    private final class LongPoll {
        final Caller caller;
        final String tenant;
        final FetchRequest request;
        final ServerCallStreamObserver<FetchResponse> response;
        final long deadlineNanos;
        volatile List<CompletableFuture<Long>> waiting = List.of();
        volatile boolean cancelled;
        /** Passed the quota check (at the first attempt; later attempts of a long poll are the same call). */
        boolean admitted;

        LongPoll(Caller caller, FetchRequest request, ServerCallStreamObserver<FetchResponse> response, long deadlineNanos) {
            this.caller = caller;
            this.tenant = caller.tenant();
            this.request = request;
            this.response = response;
            this.deadlineNanos = deadlineNanos;
            response.setOnCancelHandler(() -> {
                cancelled = true;
                waiting.forEach(w -> w.complete(HighWatermarkWaiters.TIMED_OUT)); // releases the shared watches
            });
        }

        void attempt() {
            if (cancelled) {
                return;
            }
            FetchResponse answer;
            TopicMetadata topic;
            try {
                // READ on the topic at every attempt, so a long poll never outlives a revoked ACL by a wait.
                access.requireTopic(caller, AclOperation.READ, request.getTopic());
                if (!admitted) {
                    quotas.admitFetch(tenant); // THROTTLED before anything is read
                    admitted = true;
                }
                topic = topics.get(tenant, request.getTopic());
                answer = read(topic);
            } catch (RuntimeException e) {
                response.onError(DataPlaneErrors.toStatusException(e));
                return;
            }
            long bytes = 0;
            for (PartitionData p : answer.getPartitionsList()) {
                for (ByteString b : p.getBatchesList()) {
                    bytes += b.size();
                }
            }
            long remainingMs = (deadlineNanos - System.nanoTime()) / 1_000_000L;
            if (bytes >= Math.max(1, request.getMinBytes()) || remainingMs <= 0) {
                quotas.recordFetched(tenant, bytes); // what is answered counts against the fetch rate
                response.onNext(answer);
                response.onCompleted();
                return;
            }
            // Wake when any partition's high watermark passes what this read saw.
            List<CompletableFuture<Long>> waits = new ArrayList<>();
            for (PartitionData p : answer.getPartitionsList()) {
                waits.add(waiters.awaitAbove(new PartitionRef(tenant, topic.id(), p.getPartition()), p.getHighWatermark(),
                        Duration.ofMillis(remainingMs)));
            }
            waiting = waits;
            if (cancelled) {
                waits.forEach(w -> w.complete(HighWatermarkWaiters.TIMED_OUT));
                return;
            }
            CompletableFuture.anyOf(waits.toArray(CompletableFuture[]::new)).whenCompleteAsync((v, e) -> {
                waits.forEach(w -> w.complete(HighWatermarkWaiters.TIMED_OUT)); // leave the others' shared watches
                if (!cancelled && (deadlineNanos - System.nanoTime()) <= 0) {
                    // Timed out: answer with what is there now (a last read, cheap and never waiting).
                    attemptFinal();
                } else {
                    attempt();
                }
            }, executor);
        }

        private void attemptFinal() {
            try {
                access.requireTopic(caller, AclOperation.READ, request.getTopic());
                FetchResponse answer = read(topics.get(tenant, request.getTopic()));
                quotas.recordFetched(tenant, answer.getPartitionsList().stream()
                        .mapToLong(p -> p.getBatchesList().stream().mapToLong(ByteString::size).sum()).sum());
                response.onNext(answer);
                response.onCompleted();
            } catch (RuntimeException e) {
                response.onError(DataPlaneErrors.toStatusException(e));
            }
        }

        private FetchResponse read(TopicMetadata topic) {
            if (request.getPartitionsCount() == 0) {
                throw DataPlaneErrors.invalidRequest("a fetch request needs at least one partition");
            }
            Set<Integer> seen = new HashSet<>();
            long budget = request.getMaxBytes() > 0 ? request.getMaxBytes() : Long.MAX_VALUE;
            FetchResponse.Builder answer = FetchResponse.newBuilder();
            for (PartitionFetch p : request.getPartitionsList()) {
                if (!seen.add(p.getPartition())) {
                    throw DataPlaneErrors.invalidRequest("partition " + p.getPartition() + " appears more than once");
                }
                if (p.getMaxBytes() < 0) {
                    throw DataPlaneErrors.invalidRequest("max_bytes of partition " + p.getPartition() + " is negative");
                }
                int partitionMax = p.getMaxBytes() > 0 ? p.getMaxBytes() : DEFAULT_PARTITION_MAX_BYTES;
                // Once the response budget is spent, later partitions only report their offsets.
                int maxBytes = (int) Math.max(1, Math.min(partitionMax, budget));
                FetchResult result = log.fetch(tenant, topic.id(), p.getPartition(), p.getOffset(), maxBytes);
                PartitionData.Builder data = answer.addPartitionsBuilder().setPartition(p.getPartition())
                        .setHighWatermark(result.highWatermark()).setLogStartOffset(result.logStartOffset());
                if (budget > 0) {
                    for (byte[] b : result.batches()) {
                        data.addBatches(ByteString.copyFrom(b));
                    }
                    budget -= result.sizeInBytes();
                }
            }
            return answer.build();
        }
    }

    // ------------------------------------------------------------------ ListOffsets

    @Override
    public void listOffsets(ListOffsetsRequest request, StreamObserver<ListOffsetsResponse> response) {
        Caller caller;
        try {
            caller = access.caller();
        } catch (RuntimeException e) {
            response.onError(DataPlaneErrors.toStatusException(e));
            return;
        }
        String tenant = caller.tenant();
        executor.execute(() -> {
            try {
                access.requireTopic(caller, AclOperation.DESCRIBE, request.getTopic());
                quotas.admitRequest(tenant);
                response.onNext(listOffsets(tenant, request));
                response.onCompleted();
            } catch (RuntimeException e) {
                response.onError(DataPlaneErrors.toStatusException(e));
            }
        });
    }

    private ListOffsetsResponse listOffsets(String tenant, ListOffsetsRequest request) {
        if (request.getPartitionsCount() == 0) {
            throw DataPlaneErrors.invalidRequest("a list-offsets request needs at least one partition");
        }
        TopicMetadata topic = topics.get(tenant, request.getTopic());
        ListOffsetsResponse.Builder answer = ListOffsetsResponse.newBuilder();
        for (PartitionOffsetQuery q : request.getPartitionsList()) {
            PartitionOffset.Builder out = answer.addPartitionsBuilder().setPartition(q.getPartition()).setTimestampMs(-1).setFound(true);
            switch (q.getSpec()) {
                case OFFSET_SPEC_EARLIEST -> out.setOffset(log.offsets(tenant, topic.id(), q.getPartition()).logStartOffset());
                case OFFSET_SPEC_LATEST -> out.setOffset(log.offsets(tenant, topic.id(), q.getPartition()).highWatermark());
                case OFFSET_SPEC_TIMESTAMP -> {
                    Optional<TimestampOffset> found = log.offsetForTimestamp(tenant, topic.id(), q.getPartition(), q.getTimestampMs());
                    if (found.isPresent()) {
                        out.setOffset(found.get().offset()).setTimestampMs(found.get().timestamp());
                    } else {
                        PartitionOffsets offsets = log.offsets(tenant, topic.id(), q.getPartition());
                        out.setOffset(offsets.highWatermark()).setFound(false);
                    }
                }
                default -> throw DataPlaneErrors.invalidRequest("partition " + q.getPartition()
                        + ": spec must be OFFSET_SPEC_EARLIEST, OFFSET_SPEC_LATEST or OFFSET_SPEC_TIMESTAMP");
            }
        }
        return answer.build();
    }

    // ------------------------------------------------------------------ Metadata

    @Override
    public void metadata(MetadataRequest request, StreamObserver<MetadataResponse> response) {
        Caller caller;
        try {
            caller = access.caller();
        } catch (RuntimeException e) {
            response.onError(DataPlaneErrors.toStatusException(e));
            return;
        }
        String tenant = caller.tenant();
        executor.execute(() -> {
            try {
                quotas.admitRequest(tenant);
                // DESCRIBE on each topic: named ones must be allowed, a listing shows only the allowed ones (as Kafka's).
                List<TopicMetadata> described = new ArrayList<>();
                if (request.getTopicsCount() == 0) {
                    for (TopicMetadata t : topics.list(tenant, null, METADATA_MAX_TOPICS).topics()) {
                        if (access.allowed(caller, AclOperation.DESCRIBE, AclResourceType.TOPIC, t.name())) {
                            described.add(t);
                        }
                    }
                } else {
                    for (String name : request.getTopicsList()) {
                        access.requireTopic(caller, AclOperation.DESCRIBE, name);
                    }
                    for (String name : request.getTopicsList()) {
                        described.add(topics.get(tenant, name));
                    }
                }
                // A partition without a live owner is reported as this node's: whichever node
                // receives the first produce to a free partition acquires it, so sending here works.
                NodeEndpoint self = NodeEndpoint.newBuilder().setNodeId(localNode.nodeId()).setEndpoint(localNode.endpoint()).build();
                MetadataResponse.Builder answer = MetadataResponse.newBuilder();
                for (TopicMetadata t : described) {
                    TopicInfo.Builder info = answer.addTopicsBuilder().setName(t.name()).setTopicId(t.id().toString());
                    Map<Integer, PartitionOwner> owners = pod.owners(tenant, t.id());
                    for (int p = 0; p < t.partitions(); p++) {
                        PartitionOwner owner = owners.get(p);
                        info.addPartitionsBuilder().setPartition(p).setOwner(owner == null ? self
                                : NodeEndpoint.newBuilder().setNodeId(owner.podId()).setEndpoint(owner.endpoint()).build());
                    }
                }
                response.onNext(answer.build());
                response.onCompleted();
            } catch (RuntimeException e) {
                response.onError(DataPlaneErrors.toStatusException(e));
            }
        });
    }

    // ------------------------------------------------------------------ Subscribe

    @Override
    public StreamObserver<SubscribeRequest> subscribe(StreamObserver<SubscribeResponse> response) {
        Caller caller;
        try {
            caller = access.caller();
        } catch (RuntimeException e) {
            response.onError(DataPlaneErrors.toStatusException(e));
            return new Subscription.Ignoring();
        }
        // The topic comes with the start message: READ is checked then, and again before every read.
        return new Subscription(caller.tenant(), topic -> access.requireTopic(caller, AclOperation.READ, topic),
                (ServerCallStreamObserver<SubscribeResponse>) response, topics, log, waiters, executor, maxWait, quotas);
    }

    static LogException unknownPartition(TopicMetadata topic, int partition) {
        return new LogException(LogErrorCode.UNKNOWN_PARTITION, "topic '" + topic.name() + "' has partitions 0.."
                + (topic.partitions() - 1) + ", not " + partition);
    }
}
