package dev.tributary.dataplane.produce;

import dev.tributary.acl.AclOperation;
import dev.tributary.api.v1.Acks;
import dev.tributary.api.v1.BatchAppendResult;
import dev.tributary.api.v1.PartitionBatches;
import dev.tributary.api.v1.PartitionProduceResult;
import dev.tributary.api.v1.ProduceRequest;
import dev.tributary.api.v1.ProduceResponse;
import dev.tributary.api.v1.ProduceServiceGrpc;
import dev.tributary.controlplane.security.Caller;
import dev.tributary.dataplane.StorageExecutor;
import dev.tributary.dataplane.errors.DataPlaneErrors;
import dev.tributary.dataplane.produce.AppendCoalescer.Reservation;
import dev.tributary.dataplane.quota.QuotaGate;
import dev.tributary.dataplane.schema.SchemaValidation;
import dev.tributary.dataplane.security.DataPlaneAccess;
import dev.tributary.log.AppendResult;
import dev.tributary.log.LogErrorCode;
import dev.tributary.log.LogException;
import dev.tributary.log.PartitionLog;
import dev.tributary.log.ProducedBatch;
import dev.tributary.topic.TopicMetadata;
import dev.tributary.topic.TopicStore;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import org.jboss.logging.Logger;

/**
 * {@code tributary.v1.ProduceService}. On the invoking thread (an event loop in the server
 * application) the handler only reads the caller; then, in the call's turn ({@link CallOrder}:
 * after the calls that arrived before it on its connection), it takes the request's place in the
 * append order of each of its partitions ({@link AppendCoalescer#reserve}). The ACL check (WRITE
 * on the topic), the topic lookup and the validation run on the {@link StorageExecutor}, in parallel with other requests, and then
 * fill (or, if the request is refused, cancel) those places. The coalescer appends each
 * partition's places in order, and its commit completes the call. So Produce calls for one
 * partition are appended in the order they took their places, whatever each one's validation
 * costs.
 *
 * <p>Validation keeps of each batch only its bytes and header fields ({@link ProducedBatch}), and
 * the records of all batches of a request may decompress to at most {@link
 * #MAX_UNCOMPRESSED_REQUEST_BYTES} together.
 */
public final class ProduceGrpcService extends ProduceServiceGrpc.ProduceServiceImplBase {
    private static final Logger LOG = Logger.getLogger(ProduceGrpcService.class);
    /**
     * Bytes of records, once decompressed, that the batches of one produce request may hold
     * together (64 MiB: any one batch the format accepts fits alone). Validation decodes every
     * compressed batch, so this bounds the work one request can demand; a request above it fails
     * with INVALID_REQUEST and writes nothing. An uncompressed batch counts its records as sent.
     */
    public static final int MAX_UNCOMPRESSED_REQUEST_BYTES = PartitionLog.MAX_APPEND_UNCOMPRESSED_BYTES;

    private final DataPlaneAccess access;
    private final TopicStore topics;
    private final AppendCoalescer coalescer;
    private final StorageExecutor executor;
    private final CallOrder order;
    private final QuotaGate quotas;
    private final SchemaValidation schemas;

    /**
     * @param quotas the tenant's produce rates and storage, checked before validation: a refused request writes nothing
     * @param schemas checks records of topics bound to schema subjects, as their batches are validated
     */
    public ProduceGrpcService(DataPlaneAccess access, TopicStore topics, AppendCoalescer coalescer, StorageExecutor executor,
            CallOrder order, QuotaGate quotas, SchemaValidation schemas) {
        this.schemas = schemas;
        this.access = access;
        this.topics = topics;
        this.coalescer = coalescer;
        this.executor = executor;
        this.order = order;
        this.quotas = quotas;
    }

    @Override
    public void produce(ProduceRequest request, StreamObserver<ProduceResponse> response) {
        Caller caller;
        try {
            caller = access.caller();
        } catch (RuntimeException e) {
            response.onError(DataPlaneErrors.toStatusException(e));
            return;
        }
        String tenant = caller.tenant();
        // The request's places in its partitions' append order, taken in the call's turn (now, or
        // once the calls that arrived before it on its connection have taken theirs), before any
        // validation. A request whose shape is wrong takes none: validation refuses it below,
        // with the same error as it would otherwise.
        boolean wellFormed = wellFormed(request);
        order.inTurn(() -> {
            List<Reservation> places = new ArrayList<>(request.getPartitionsCount());
            if (wellFormed) {
                for (PartitionBatches p : request.getPartitionsList()) {
                    places.add(coalescer.reserve(tenant, request.getTopic(), p.getPartition()));
                }
            }
            try {
                executor.execute(() -> produce(caller, tenant, request, places, response));
            } catch (RejectedExecutionException e) {
                places.forEach(Reservation::cancel);
                response.onError(DataPlaneErrors.status(Status.Code.UNAVAILABLE, "POD_NOT_REGISTERED",
                        "this node is shutting down", Map.of()));
            }
        });
    }

    /**
     * What validation checks without storage: at least one partition, each once, not negative,
     * below the largest partition count a topic can have, each with at least one batch. A request
     * that fails this is certain to be refused by {@link #validate}.
     */
    private static boolean wellFormed(ProduceRequest request) {
        if (request.getPartitionsCount() == 0) {
            return false;
        }
        Set<Integer> seen = new HashSet<>();
        for (PartitionBatches p : request.getPartitionsList()) {
            int partition = p.getPartition();
            if (partition < 0 || partition >= TopicStore.MAX_PARTITIONS || p.getBatchesCount() == 0 || !seen.add(partition)) {
                return false;
            }
        }
        return true;
    }

    private void produce(Caller caller, String tenant, ProduceRequest request, List<Reservation> places,
            StreamObserver<ProduceResponse> response) {
        List<CompletableFuture<List<AppendResult>>> appends = new ArrayList<>(places.size());
        TopicMetadata topic;
        try {
            // WRITE on the topic, checked here (the ACLs may have to be read) and before anything is queued.
            access.requireTopic(caller, AclOperation.WRITE, request.getTopic());
            // Quotas (request and byte rates, storage) before the batches are even decoded: a throttled
            // or refused request is answered at once and nothing of it is queued.
            quotas.admitProduce(tenant, request);
            Validated valid = validate(tenant, request);
            if (places.size() != request.getPartitionsCount()) {
                throw new IllegalStateException("a request that passed validation took no places in the append order");
            }
            topic = valid.topic();
            for (int i = 0; i < places.size(); i++) {
                appends.add(places.get(i).fill(topic.id(), valid.batchesByPartition().get(i)));
            }
        } catch (RuntimeException | Error e) {
            // Refused (or broken) before anything was queued: give the places up so that the calls
            // behind this one do not wait for it. Places already filled are appended regardless.
            places.forEach(Reservation::cancel);
            response.onError(DataPlaneErrors.toStatusException(e));
            if (e instanceof Error error) {
                throw error;
            }
            return;
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

    /** The topic and the request's validated batches, in request order. */
    private record Validated(TopicMetadata topic, List<List<ProducedBatch>> batchesByPartition) {}

    /**
     * Everything checkable before writing: nothing is queued unless every batch of the request is
     * acceptable. Batches are validated one at a time; a compressed one is decompressed to check
     * its records, which are dropped before the next batch is decoded.
     */
    private Validated validate(String tenant, ProduceRequest request) {
        if (request.getPartitionsCount() == 0) {
            throw DataPlaneErrors.invalidRequest("a produce request needs at least one partition with batches");
        }
        TopicMetadata topic = topics.get(tenant, request.getTopic());
        int maxBytes = topic.config().maxMessageBytes();
        Set<Integer> seen = new HashSet<>();
        List<List<ProducedBatch>> batchesByPartition = new ArrayList<>(request.getPartitionsCount());
        long uncompressed = 0;
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
            for (int i = 0; i < p.getBatchesCount(); i++) {
                bytes += p.getBatches(i).size();
            }
            if (bytes > PartitionLog.MAX_APPEND_ALL_BYTES) {
                throw DataPlaneErrors.invalidRequest("partition " + partition + " has " + bytes
                        + " bytes of batches in one request; at most " + PartitionLog.MAX_APPEND_ALL_BYTES);
            }
            List<ProducedBatch> batches = new ArrayList<>(p.getBatchesCount());
            for (int i = 0; i < p.getBatchesCount(); i++) {
                int size = p.getBatches(i).size();
                ProducedBatch batch;
                try {
                    if (size > maxBytes) {
                        throw new LogException(LogErrorCode.RECORD_TOO_LARGE, "batch of " + size
                                + " bytes exceeds max.message.bytes " + maxBytes + " of topic '" + topic.name() + "'");
                    }
                    // Schema checks (if the topic has them) run on the decoded records, before they are dropped.
                    batch = ProducedBatch.validate(p.getBatches(i).toByteArray(), schemas.checker(tenant, topic, partition, i));
                } catch (LogException e) {
                    Map<String, String> where = new HashMap<>();
                    where.put("partition", Integer.toString(partition));
                    where.put("batch_index", Integer.toString(i));
                    if (e.batchReason() != null) {
                        where.put("batch_reason", e.batchReason().name());
                    }
                    String detail = e.getMessage().substring(e.code().name().length() + 2);
                    throw DataPlaneErrors.status(DataPlaneErrors.statusOf(e.code()), e.code().name(),
                            "partition " + partition + ", batch " + i + ": " + detail, where);
                }
                uncompressed += batch.uncompressedRecordsSizeInBytes();
                if (uncompressed > MAX_UNCOMPRESSED_REQUEST_BYTES) {
                    throw DataPlaneErrors.status(Status.Code.INVALID_ARGUMENT, LogErrorCode.INVALID_REQUEST.name(),
                            "the batches of one produce request may hold at most " + MAX_UNCOMPRESSED_REQUEST_BYTES
                                    + " bytes of records once decompressed; up to partition " + partition + ", batch " + i
                                    + " this one holds " + uncompressed + ": send fewer batches per request",
                            Map.of("max_uncompressed_request_bytes", Integer.toString(MAX_UNCOMPRESSED_REQUEST_BYTES)));
                }
                batches.add(batch);
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
