package dev.tributary.dataplane.produce;

import dev.tributary.api.v1.Acks;
import dev.tributary.api.v1.BatchAppendResult;
import dev.tributary.api.v1.PartitionBatches;
import dev.tributary.api.v1.PartitionProduceResult;
import dev.tributary.api.v1.ProduceRequest;
import dev.tributary.api.v1.ProduceResponse;
import dev.tributary.api.v1.ProduceServiceGrpc;
import dev.tributary.dataplane.PartitionRef;
import dev.tributary.dataplane.StorageExecutor;
import dev.tributary.dataplane.errors.DataPlaneErrors;
import dev.tributary.dataplane.security.CallerContext;
import dev.tributary.dataplane.security.DataPlaneAccess;
import dev.tributary.log.AppendResult;
import dev.tributary.log.LogErrorCode;
import dev.tributary.log.LogException;
import dev.tributary.log.PartitionLog;
import dev.tributary.topic.TopicMetadata;
import dev.tributary.topic.TopicStore;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.jboss.logging.Logger;

/**
 * {@code tributary.v1.ProduceService}. The handler only reads the caller on the invoking thread (an
 * event loop in the server application); the topic lookup and validation run on the {@link
 * StorageExecutor}, and the appends go through the {@link AppendCoalescer}, whose commit completes
 * the call.
 */
public final class ProduceGrpcService extends ProduceServiceGrpc.ProduceServiceImplBase {
    private static final Logger LOG = Logger.getLogger(ProduceGrpcService.class);

    private final CallerContext callers;
    private final TopicStore topics;
    private final AppendCoalescer coalescer;
    private final StorageExecutor executor;

    public ProduceGrpcService(CallerContext callers, TopicStore topics, AppendCoalescer coalescer, StorageExecutor executor) {
        this.callers = callers;
        this.topics = topics;
        this.coalescer = coalescer;
        this.executor = executor;
    }

    @Override
    public void produce(ProduceRequest request, StreamObserver<ProduceResponse> response) {
        String tenant;
        try {
            tenant = DataPlaneAccess.authorize(callers, DataPlaneAccess.Operation.WRITE, request.getTopic());
        } catch (RuntimeException e) {
            response.onError(DataPlaneErrors.toStatusException(e));
            return;
        }
        executor.execute(() -> {
            try {
                produce(tenant, request, response);
            } catch (RuntimeException e) {
                response.onError(DataPlaneErrors.toStatusException(e));
            }
        });
    }

    private void produce(String tenant, ProduceRequest request, StreamObserver<ProduceResponse> response) {
        Validated valid = validate(tenant, request);
        TopicMetadata topic = valid.topic();
        List<CompletableFuture<List<AppendResult>>> appends = new ArrayList<>();
        for (int i = 0; i < request.getPartitionsCount(); i++) {
            PartitionRef partition = new PartitionRef(tenant, topic.id(), request.getPartitions(i).getPartition());
            appends.add(coalescer.append(partition, valid.batchesByPartition().get(i)));
        }
        if (request.getAcks() == Acks.ACKS_NONE) {
            // At-most-once: answered before the commit; a failure afterwards is only logged.
            for (CompletableFuture<List<AppendResult>> a : appends) {
                a.whenComplete((r, e) -> {
                    if (e != null) {
                        LOG.debugf("an acks=NONE append to topic %s failed after the answer: %s", topic.name(), e.toString());
                    }
                });
            }
            ProduceResponse.Builder answer = ProduceResponse.newBuilder();
            for (PartitionBatches p : request.getPartitionsList()) {
                PartitionProduceResult.Builder partition = answer.addPartitionsBuilder().setPartition(p.getPartition());
                for (int i = 0; i < p.getBatchesCount(); i++) {
                    partition.addBatches(BatchAppendResult.newBuilder().setBaseOffset(-1).setLastOffset(-1).setLogAppendTimeMs(-1));
                }
            }
            respond(response, answer.build());
            return;
        }
        CompletableFuture.allOf(appends.toArray(CompletableFuture[]::new)).whenComplete((ignored, failure) -> {
            if (failure != null) {
                response.onError(DataPlaneErrors.toStatusException(failure));
                return;
            }
            ProduceResponse.Builder answer = ProduceResponse.newBuilder();
            for (int i = 0; i < appends.size(); i++) {
                PartitionProduceResult.Builder partition = answer.addPartitionsBuilder()
                        .setPartition(request.getPartitions(i).getPartition());
                for (AppendResult r : appends.get(i).join()) {
                    partition.addBatches(BatchAppendResult.newBuilder().setBaseOffset(r.baseOffset())
                            .setLastOffset(r.lastOffset()).setLogAppendTimeMs(r.logAppendTimeMillis()));
                }
            }
            respond(response, answer.build());
        });
    }

    /** Everything checkable before writing: nothing is queued unless every batch of the request is acceptable. */
    /** The topic and the request's batches, copied out of the request once, in request order. */
    private record Validated(TopicMetadata topic, List<List<byte[]>> batchesByPartition) {}

    private Validated validate(String tenant, ProduceRequest request) {
        if (request.getPartitionsCount() == 0) {
            throw DataPlaneErrors.invalidRequest("a produce request needs at least one partition with batches");
        }
        TopicMetadata topic = topics.get(tenant, request.getTopic());
        int maxBytes = topic.config().maxMessageBytes();
        Set<Integer> seen = new HashSet<>();
        List<List<byte[]>> batchesByPartition = new ArrayList<>(request.getPartitionsCount());
        for (PartitionBatches p : request.getPartitionsList()) {
            int partition = p.getPartition();
            if (!seen.add(partition)) {
                throw DataPlaneErrors.invalidRequest("partition " + partition + " appears more than once");
            }
            if (partition < 0 || partition >= topic.partitions()) {
                throw new LogException(LogErrorCode.UNKNOWN_PARTITION, "topic '" + topic.name() + "' has partitions 0.."
                        + (topic.partitions() - 1) + ", not " + partition);
            }
            if (p.getBatchesCount() == 0) {
                throw DataPlaneErrors.invalidRequest("partition " + partition + " has no batches");
            }
            long bytes = 0;
            List<byte[]> batches = new ArrayList<>(p.getBatchesCount());
            for (int i = 0; i < p.getBatchesCount(); i++) {
                byte[] batch = p.getBatches(i).toByteArray();
                batches.add(batch);
                bytes += batch.length;
                try {
                    PartitionLog.parseProduced(batch);
                    if (batch.length > maxBytes) {
                        throw new LogException(LogErrorCode.RECORD_TOO_LARGE, "batch of " + batch.length
                                + " bytes exceeds max.message.bytes " + maxBytes + " of topic '" + topic.name() + "'");
                    }
                } catch (LogException e) {
                    Map<String, String> where = new java.util.HashMap<>();
                    where.put("partition", Integer.toString(partition));
                    where.put("batch_index", Integer.toString(i));
                    if (e.batchReason() != null) {
                        where.put("batch_reason", e.batchReason().name());
                    }
                    String detail = e.getMessage().substring(e.code().name().length() + 2);
                    throw DataPlaneErrors.status(DataPlaneErrors.statusOf(e.code()), e.code().name(),
                            "partition " + partition + ", batch " + i + ": " + detail, where);
                }
            }
            if (bytes > PartitionLog.MAX_APPEND_ALL_BYTES) {
                throw DataPlaneErrors.invalidRequest("partition " + partition + " has " + bytes
                        + " bytes of batches in one request; at most " + PartitionLog.MAX_APPEND_ALL_BYTES);
            }
            batchesByPartition.add(batches);
        }
        return new Validated(topic, batchesByPartition);
    }

    private static void respond(StreamObserver<ProduceResponse> response, ProduceResponse answer) {
        response.onNext(answer);
        response.onCompleted();
    }
}
