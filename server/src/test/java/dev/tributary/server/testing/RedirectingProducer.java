package dev.tributary.server.testing;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.ErrorInfo;
import dev.tributary.api.v1.Acks;
import dev.tributary.api.v1.BatchAppendResult;
import dev.tributary.api.v1.FetchServiceGrpc;
import dev.tributary.api.v1.MetadataRequest;
import dev.tributary.api.v1.MetadataResponse;
import dev.tributary.api.v1.PartitionBatches;
import dev.tributary.api.v1.PartitionInfo;
import dev.tributary.api.v1.ProduceRequest;
import dev.tributary.api.v1.ProduceServiceGrpc;
import dev.tributary.api.v1.TopicInfo;
import dev.tributary.record.RecordBatch;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The smallest producer that survives partition moves, as the SDK's will: it sends each record
 * (acks=DURABLE) to the partition's owner as Metadata reports it, follows NOT_OWNER redirects to
 * the endpoint the refusal names, and retries through a fresh Metadata lookup (asked of any pod it
 * knows) when a pod is unreachable, shutting down, fenced or out of lease.
 *
 * <p>It keeps count of attempts that may have been written although they failed (the connection
 * broke or the deadline passed mid-call): a retried record may then be in the log twice, once
 * unacknowledged. Refusals that carry an ownership code were decided before anything was written.
 * Thread-safe: one per topic, shared by producer threads.
 */
public final class RedirectingProducer {
    private static final Metadata.Key<String> ERROR_CODE = Metadata.Key.of("tributary-error-code", Metadata.ASCII_STRING_MARSHALLER);
    /** Refusals that guarantee nothing was written: the pod decided before appending. */
    private static final Set<String> NOTHING_WRITTEN = Set.of("NOT_OWNER", "FENCED_LEADER_EPOCH", "UNKNOWN_LEADER_EPOCH",
            "LEASE_EXPIRED", "POD_NOT_REGISTERED");
    private static final long ATTEMPT_DEADLINE_MS = 5_000;
    private static final long BACKOFF_MS = 20;

    /**
     * One acknowledged record.
     *
     * @param endpoint the pod that acknowledged it
     * @param attempts sends it took
     * @param maybeWrittenBefore failed attempts that may have been written anyway
     * @param ackedAtNanos when the acknowledgement arrived (System.nanoTime)
     */
    public record Ack(int partition, String value, long offset, String endpoint, int attempts, int maybeWrittenBefore,
            long ackedAtNanos) {}

    private final EndpointChannels channels;
    private final String token;
    private final String topic;
    private final List<String> pods;
    private final Map<Integer, String> owners = new ConcurrentHashMap<>();
    private final AtomicInteger nextLookup = new AtomicInteger();
    private final AtomicInteger redirects = new AtomicInteger();
    private final AtomicInteger retries = new AtomicInteger();

    /**
     * @param pods endpoints of the pods to ask for Metadata (any pod answers it)
     */
    public RedirectingProducer(EndpointChannels channels, String token, String topic, List<String> pods) {
        this.channels = channels;
        this.token = token;
        this.topic = topic;
        this.pods = List.copyOf(pods);
    }

    /** Sends one record and waits for its durable acknowledgement, retrying until {@code timeout}. */
    public Ack send(int partition, String value, Duration timeout) throws InterruptedException {
        return send(partition, value, timeout, null);
    }

    /** {@link #send}, trying {@code endpoint} first whoever owns the partition (to be redirected from there). */
    public Ack sendFirstTo(String endpoint, int partition, String value, Duration timeout) throws InterruptedException {
        return send(partition, value, timeout, endpoint);
    }

    private Ack send(int partition, String value, Duration timeout, String firstEndpoint) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        byte[] batch = RecordBatch.builder().append(System.currentTimeMillis(), null, value.getBytes(StandardCharsets.UTF_8)).build();
        ProduceRequest request = ProduceRequest.newBuilder().setTopic(topic).setAcks(Acks.ACKS_DURABLE)
                .addPartitions(PartitionBatches.newBuilder().setPartition(partition).addBatches(ByteString.copyFrom(batch)))
                .build();
        int attempts = 0;
        int maybeWritten = 0;
        StatusRuntimeException last = null;
        while (System.nanoTime() < deadline) {
            String endpoint = attempts == 0 && firstEndpoint != null ? firstEndpoint : owners.get(partition);
            if (endpoint == null) {
                endpoint = lookUp(partition);
                if (endpoint == null) {
                    Thread.sleep(BACKOFF_MS); // no pod answered Metadata: all busy or restarting
                    continue;
                }
            }
            attempts++;
            try {
                BatchAppendResult result = ProduceServiceGrpc.newBlockingStub(channels.channel(endpoint))
                        .withCallCredentials(TestClient.bearer(token)).withDeadlineAfter(ATTEMPT_DEADLINE_MS, TimeUnit.MILLISECONDS)
                        .produce(request).getPartitions(0).getBatches(0);
                return new Ack(partition, value, result.getBaseOffset(), endpoint, attempts, maybeWritten, System.nanoTime());
            } catch (StatusRuntimeException e) {
                last = e;
                String code = e.getTrailers() == null ? null : e.getTrailers().get(ERROR_CODE);
                if ("NOT_OWNER".equals(code)) {
                    redirects.incrementAndGet();
                    String owner = ownerEndpoint(e);
                    if (owner.isEmpty() || owner.equals(endpoint)) {
                        owners.remove(partition, endpoint);
                    } else {
                        owners.put(partition, owner);
                        continue; // go straight to the named owner
                    }
                } else if (retryable(e.getStatus().getCode(), code)) {
                    retries.incrementAndGet();
                    if (code == null || !NOTHING_WRITTEN.contains(code)) {
                        maybeWritten++;
                    }
                    owners.remove(partition, endpoint);
                } else {
                    throw new AssertionError("produce of '" + value + "' to partition " + partition + " at " + endpoint
                            + " failed for good: " + e.getStatus(), e);
                }
                Thread.sleep(BACKOFF_MS);
            }
        }
        throw new AssertionError("'" + value + "' not acknowledged within " + timeout + " (" + attempts + " attempts)", last);
    }

    /** Times a produce was redirected by NOT_OWNER. */
    public int redirects() {
        return redirects.get();
    }

    /** Times a produce was retried after a pod was unreachable, stopping, fenced or out of lease. */
    public int retries() {
        return retries.get();
    }

    private static boolean retryable(Status.Code status, String code) {
        if (code != null && NOTHING_WRITTEN.contains(code)) {
            return true;
        }
        // Unreachable or stopping pod, deadline, cut connection, a commit of unknown outcome.
        return status == Status.Code.UNAVAILABLE || status == Status.Code.DEADLINE_EXCEEDED || status == Status.Code.CANCELLED
                || status == Status.Code.UNKNOWN;
    }

    /** Asks the pods in turn for the topic's owners; remembers them all and returns the partition's. */
    private String lookUp(int partition) {
        for (int i = 0; i < pods.size(); i++) {
            String pod = pods.get(Math.floorMod(nextLookup.getAndIncrement(), pods.size()));
            MetadataResponse metadata;
            try {
                metadata = FetchServiceGrpc.newBlockingStub(channels.channel(pod)).withCallCredentials(TestClient.bearer(token))
                        .withDeadlineAfter(ATTEMPT_DEADLINE_MS, TimeUnit.MILLISECONDS)
                        .metadata(MetadataRequest.newBuilder().addTopics(topic).build());
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() == Status.Code.UNAVAILABLE || e.getStatus().getCode() == Status.Code.DEADLINE_EXCEEDED) {
                    continue; // that pod is gone: ask another
                }
                throw new AssertionError("Metadata from " + pod + " failed: " + e.getStatus(), e);
            }
            TopicInfo info = metadata.getTopics(0);
            for (PartitionInfo p : info.getPartitionsList()) {
                owners.put(p.getPartition(), p.getOwner().getEndpoint());
            }
            return owners.get(partition);
        }
        return null;
    }

    private static String ownerEndpoint(StatusRuntimeException e) {
        com.google.rpc.Status status = StatusProto.fromThrowable(e);
        if (status != null) {
            for (com.google.protobuf.Any detail : status.getDetailsList()) {
                if (detail.is(ErrorInfo.class)) {
                    try {
                        return detail.unpack(ErrorInfo.class).getMetadataOrDefault("owner_endpoint", "");
                    } catch (InvalidProtocolBufferException ignored) {
                        return "";
                    }
                }
            }
        }
        return "";
    }
}
