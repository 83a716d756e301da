package dev.tributary.client.internal.producer;

import com.google.protobuf.UnsafeByteOperations;
import dev.tributary.api.v1.Acks;
import dev.tributary.api.v1.BatchAppendResult;
import dev.tributary.api.v1.PartitionBatches;
import dev.tributary.api.v1.PartitionProduceResult;
import dev.tributary.api.v1.ProduceRequest;
import dev.tributary.api.v1.ProduceResponse;
import dev.tributary.api.v1.ProduceServiceGrpc;
import dev.tributary.client.TopicPartition;
import dev.tributary.client.TributaryException;
import dev.tributary.client.internal.Connection;
import dev.tributary.client.internal.Errors;
import dev.tributary.client.internal.SerialExecutor;
import dev.tributary.client.internal.producer.ProducerMetadata.TopicLayout;
import dev.tributary.client.internal.producer.RecordAccumulator.Unencodable;
import dev.tributary.client.producer.ProducerConfig;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Status;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * The producer's I/O thread. Each round it runs the answers that arrived, fails batches past
 * {@code delivery.timeout.ms}, takes the sendable batches from the accumulator and sends them:
 * one {@code ProduceService.Produce} call per destination node and topic, carrying several
 * partitions (and several batches of a partition, in order) up to {@code max.request.size} and
 * 64 MiB of records before compression (the server's bound per request). Calls are started in the
 * order they are made, on one channel per node, so the server appends a partition's calls in that
 * order. Then it sleeps until the next linger, backoff or deadline expires, or until woken.
 *
 * <p>Answers come back on gRPC threads and are handed to this thread, so that all completion
 * (futures and callbacks) and all retry bookkeeping happen here, in one order.
 *
 * <p>Failures: retriable ones are retried with exponential backoff and jitter until the batch's
 * delivery deadline. NOT_OWNER that names the owner resends there at once (and later batches of
 * the partition follow); without an owner, and on leader-epoch, lease and transport failures,
 * the topic's metadata is refreshed before the retry. RESOURCE_EXHAUSTED waits at least the
 * server's retry delay. UNKNOWN_TOPIC / UNKNOWN_PARTITION are retried once after a metadata
 * refresh. A batch refused as larger than the topic's max.message.bytes is split in two and the
 * halves sent; a single record that is too large fails. Everything else fails the batch with the
 * server's code. When the server names the partition (and batch) at fault, the other batches of
 * the request are resent at once rather than failed with it.
 */
final class Sender implements Runnable {
    private static final System.Logger LOG = System.getLogger(Sender.class.getName());
    /** Codes after which the owner of the partition may have changed: ask Metadata again. */
    private static final Set<String> STALE_OWNER_CODES = Set.of("NOT_OWNER", "FENCED_LEADER_EPOCH", "UNKNOWN_LEADER_EPOCH",
            "LEASE_EXPIRED", "POD_NOT_REGISTERED", TributaryException.TRANSPORT);

    /** One Produce call in flight: its batches grouped by partition, in request order. */
    private static final class InFlightRequest {
        final long id;
        final String endpoint;
        final Map<TopicPartition, List<ProducerBatch>> batches;
        ClientCall<ProduceRequest, ProduceResponse> call;

        InFlightRequest(long id, String endpoint, Map<TopicPartition, List<ProducerBatch>> batches) {
            this.id = id;
            this.endpoint = endpoint;
            this.batches = batches;
        }
    }

    /** A request being assembled for one node and topic. */
    private static final class PendingRequest {
        final String endpoint;
        final String topic;
        final Map<TopicPartition, List<ProducerBatch>> batches = new LinkedHashMap<>();
        long bytes;
        /** Its batches' sizes before compression. */
        long uncompressedBytes;

        PendingRequest(String endpoint, String topic) {
            this.endpoint = endpoint;
            this.topic = topic;
        }
    }

    private final Connection connection;
    private final ProducerSettings settings;
    private final RecordAccumulator accumulator;
    private final ProducerMetadata metadata;
    private final RetryBackoff backoff;
    private final Acks acks;
    /**
     * The produce calls' executor: one task at a time, in order, so that calls grpc-java holds back
     * while a channel connects are started in the order they were made (the server appends a
     * partition's calls in the order their streams open). Answers are handed to this thread from it.
     */
    private final SerialExecutor callExecutor = new SerialExecutor(ForkJoinPool.commonPool());
    /** Answers from gRPC threads, run on this thread. */
    private final ConcurrentLinkedQueue<Runnable> events = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean wakeRequested = new AtomicBoolean();
    /** This thread only. */
    private final Map<Long, InFlightRequest> inFlight = new HashMap<>();
    private long nextRequestId;
    private int roundRobin;
    private volatile Thread thread;
    private volatile boolean closing;
    private volatile boolean forceClose;

    Sender(Connection connection, ProducerSettings settings, RecordAccumulator accumulator, ProducerMetadata metadata) {
        this.connection = connection;
        this.settings = settings;
        this.accumulator = accumulator;
        this.metadata = metadata;
        this.backoff = new RetryBackoff(settings.retryBackoffNanos(), settings.retryBackoffMaxNanos());
        this.acks = settings.acks() == ProducerConfig.Acks.NONE ? Acks.ACKS_NONE : Acks.ACKS_DURABLE;
    }

    @Override
    public void run() {
        thread = Thread.currentThread();
        TributaryException endedWith = RecordAccumulator.closedException();
        try {
            while (!forceClose) {
                wakeRequested.set(false);
                long delay = runOnce(System.nanoTime());
                if (closing && inFlight.isEmpty() && events.isEmpty() && !accumulator.hasQueuedBatches()) {
                    break;
                }
                if (!wakeRequested.get() && !forceClose) {
                    if (delay < 0) {
                        LockSupport.park(this);
                    } else {
                        LockSupport.parkNanos(this, delay);
                    }
                }
            }
        } catch (RuntimeException | Error e) {
            LOG.log(System.Logger.Level.ERROR, "the producer's I/O thread failed; failing every pending record", e);
            endedWith = new TributaryException(TributaryException.CLOSED, "the producer's I/O thread failed: " + e, e);
            throw e;
        } finally {
            // Forced close (or a crash): whatever is left fails now.
            accumulator.close();
            abortEverything(endedWith);
        }
    }

    /** One round; returns nanos until the next timer, or -1 for none (sleep until woken). */
    long runOnce(long now) {
        Runnable event;
        while ((event = events.poll()) != null) {
            event.run();
        }
        if (forceClose) {
            return 0;
        }
        for (ProducerBatch expired : accumulator.expire(now)) {
            fail(expired, expired.lastError == null
                    ? new TributaryException(TributaryException.TIMEOUT, "not sent within delivery.timeout.ms ("
                            + TimeUnit.NANOSECONDS.toMillis(settings.deliveryTimeoutNanos()) + " ms)")
                    : timeout(expired, expired.lastError));
        }
        RecordAccumulator.Ready ready = accumulator.ready(now);
        if (!ready.partitions().isEmpty()) {
            send(ready.partitions(), now);
        }
        return ready.nextCheckDelayNanos();
    }

    /** Wakes the thread for a round now (new batch, full batch, flush, close, answer). */
    void wakeup() {
        if (wakeRequested.compareAndSet(false, true)) {
            Thread t = thread;
            if (t != null) {
                LockSupport.unpark(t);
            }
        }
    }

    /** Stop once every queued and in-flight batch has completed. */
    void initiateClose() {
        closing = true;
        wakeup();
    }

    /** Stop now, failing what is left with CLOSED. */
    void forceClose() {
        forceClose = true;
        closing = true;
        wakeup();
    }

    boolean isSenderThread() {
        return Thread.currentThread() == thread;
    }

    private void send(List<TopicPartition> ready, long now) {
        Map<String, PendingRequest> building = new LinkedHashMap<>();
        List<Unencodable> unencodable = new ArrayList<>();
        long requestLimit = settings.maxRequestSize();
        // Start at a different partition each round, so that no partition is always last in line for request space.
        int start = Math.floorMod(roundRobin++, ready.size());
        for (int i = 0; i < ready.size(); i++) {
            TopicPartition tp = ready.get((start + i) % ready.size());
            TopicLayout layout = metadata.current(tp.topic());
            String owner = layout == null ? "" : layout.owner(tp.partition());
            String endpoint = owner.isEmpty() ? connection.endpoint().toString() : owner;
            String key = endpoint + " " + tp.topic();
            PendingRequest request = building.computeIfAbsent(key, k -> new PendingRequest(endpoint, tp.topic()));
            long room = Math.min(ProducerSettings.MAX_PARTITION_BYTES_PER_REQUEST, requestLimit - request.bytes);
            List<ProducerBatch> batches = accumulator.drain(tp, now, room,
                    ProducerSettings.MAX_UNCOMPRESSED_BYTES_PER_REQUEST - request.uncompressedBytes, unencodable);
            if (batches.isEmpty() && request.bytes > 0) {
                // The partition's next batch does not fit what is left of this request: send it, start another.
                dispatch(request, now);
                request = new PendingRequest(endpoint, tp.topic());
                building.put(key, request);
                batches = accumulator.drain(tp, now, Math.min(ProducerSettings.MAX_PARTITION_BYTES_PER_REQUEST, requestLimit),
                        ProducerSettings.MAX_UNCOMPRESSED_BYTES_PER_REQUEST, unencodable);
            }
            if (!batches.isEmpty()) {
                request.batches.put(tp, batches);
                for (ProducerBatch b : batches) {
                    request.bytes += b.encoded().length;
                    request.uncompressedBytes += b.sizeInBytes();
                }
            }
        }
        for (PendingRequest request : building.values()) {
            if (!request.batches.isEmpty()) {
                dispatch(request, now);
            }
        }
        for (Unencodable u : unencodable) {
            fail(u.batch(), new TributaryException("INVALID_RECORD", "the batch could not be encoded with compression.type "
                    + settings.compression().name().toLowerCase(java.util.Locale.ROOT) + ": " + u.failure(), u.failure()));
        }
    }

    private void dispatch(PendingRequest pending, long now) {
        ProduceRequest.Builder request = ProduceRequest.newBuilder().setTopic(pending.topic).setAcks(acks);
        long earliestDeadline = Long.MAX_VALUE;
        boolean anyDeadline = false;
        for (Map.Entry<TopicPartition, List<ProducerBatch>> e : pending.batches.entrySet()) {
            PartitionBatches.Builder partition = request.addPartitionsBuilder().setPartition(e.getKey().partition());
            for (ProducerBatch b : e.getValue()) {
                // The bytes are never modified after encoding: no copy.
                partition.addBatches(UnsafeByteOperations.unsafeWrap(b.encoded()));
                b.lastEndpoint = pending.endpoint;
                if (!anyDeadline || b.deadlineNanos - earliestDeadline < 0) {
                    earliestDeadline = b.deadlineNanos;
                    anyDeadline = true;
                }
            }
        }
        // request.timeout.ms, but never past the earliest delivery deadline of the request's batches.
        long callTimeout = Math.max(TimeUnit.MILLISECONDS.toNanos(1), Math.min(settings.requestTimeoutNanos(), earliestDeadline - now));
        InFlightRequest inflight = new InFlightRequest(nextRequestId++, pending.endpoint, pending.batches);
        inFlight.put(inflight.id, inflight);
        try {
            ClientCall<ProduceRequest, ProduceResponse> call = connection.channel(pending.endpoint).newCall(
                    ProduceServiceGrpc.getProduceMethod(),
                    CallOptions.DEFAULT.withCallCredentials(connection.callCredentials()).withExecutor(callExecutor)
                            .withDeadlineAfter(callTimeout, TimeUnit.NANOSECONDS));
            inflight.call = call;
            ClientCalls.asyncUnaryCall(call, request.build(), new StreamObserver<>() {
                private ProduceResponse response;

                @Override
                public void onNext(ProduceResponse value) {
                    response = value;
                }

                @Override
                public void onError(Throwable t) {
                    post(() -> onFailure(inflight, t));
                }

                @Override
                public void onCompleted() {
                    ProduceResponse answer = response;
                    post(() -> onResponse(inflight, answer));
                }
            });
        } catch (RuntimeException e) {
            // No channel (closed client, malformed owner endpoint): handled like a failed call.
            onFailure(inflight, e);
        }
    }

    private void post(Runnable event) {
        events.add(event);
        wakeup();
    }

    /** Removes the request from the in-flight set; false if it was already handled (aborted at close). */
    private boolean finish(InFlightRequest request) {
        if (inFlight.remove(request.id) == null) {
            return false;
        }
        for (TopicPartition tp : request.batches.keySet()) {
            accumulator.requestCompleted(tp);
        }
        return true;
    }

    private void onResponse(InFlightRequest request, ProduceResponse response) {
        if (!finish(request)) {
            return;
        }
        int index = 0;
        for (Map.Entry<TopicPartition, List<ProducerBatch>> e : request.batches.entrySet()) {
            List<ProducerBatch> batches = e.getValue();
            PartitionProduceResult result = response != null && index < response.getPartitionsCount()
                    && response.getPartitions(index).getPartition() == e.getKey().partition()
                    ? response.getPartitions(index) : null;
            index++;
            if (result == null || result.getBatchesCount() != batches.size()) {
                // Not what the protocol promises: the batches' fate is unknown, and resending could duplicate them.
                TributaryException malformed = new TributaryException(TributaryException.TRANSPORT, "the produce answer from "
                        + request.endpoint + " does not match the request for " + e.getKey());
                batches.forEach(b -> fail(b, malformed));
                continue;
            }
            for (int i = 0; i < batches.size(); i++) {
                BatchAppendResult r = result.getBatches(i);
                ProducerBatch b = batches.get(i);
                b.complete(r.getBaseOffset(), r.getLogAppendTimeMs());
                accumulator.deallocate(b);
            }
        }
    }

    private void onFailure(InFlightRequest request, Throwable t) {
        if (!finish(request)) {
            return;
        }
        TributaryException error = Errors.translate(t);
        long now = System.nanoTime();
        Integer namedPartition = intOrNull(error.metadata().get("partition"));
        Integer namedBatch = intOrNull(error.metadata().get("batch_index"));
        // The topic's max.message.bytes refused this many bytes: every batch of the request (one
        // topic) at least as large would be refused too, so those are split now rather than one
        // per round trip.
        int refusedSize = Integer.MAX_VALUE;
        if (error.code().equals("RECORD_TOO_LARGE") && namedPartition != null && namedBatch != null) {
            for (Map.Entry<TopicPartition, List<ProducerBatch>> e : request.batches.entrySet()) {
                if (e.getKey().partition() == namedPartition && namedBatch >= 0 && namedBatch < e.getValue().size()) {
                    refusedSize = e.getValue().get(namedBatch).encoded().length;
                }
            }
        }
        for (Map.Entry<TopicPartition, List<ProducerBatch>> e : request.batches.entrySet()) {
            List<ProducerBatch> batches = e.getValue();
            boolean concerned = namedPartition == null || namedPartition == e.getKey().partition();
            for (int i = 0; i < batches.size(); i++) {
                ProducerBatch b = batches.get(i);
                boolean named = concerned && (namedBatch == null || namedBatch == i);
                if (!named && b.recordCount() > 1 && b.encoded().length >= refusedSize) {
                    LOG.log(System.Logger.Level.DEBUG, "splitting {0}, as large as a batch refused: {1}", b, error.getMessage());
                    accumulator.splitAndReenqueue(b);
                } else if (!named) {
                    // Not at fault. A batch-level refusal (validation) means nothing of the request was
                    // written; another partition's failure may have left this one written (at-least-once).
                    retry(b, error, now, 0, false);
                } else {
                    handleFailure(b, error, now);
                }
            }
        }
    }

    private void handleFailure(ProducerBatch b, TributaryException error, long now) {
        String code = error.code();
        String topic = b.partition.topic();
        switch (code) {
            case "RECORD_TOO_LARGE" -> {
                if (b.recordCount() > 1) {
                    // The topic's max.message.bytes is below batch.size: send the halves (split again if needed).
                    LOG.log(System.Logger.Level.DEBUG, "splitting {0} refused as too large: {1}", b, error.getMessage());
                    accumulator.splitAndReenqueue(b);
                } else {
                    fail(b, error);
                }
                return;
            }
            case "UNKNOWN_TOPIC", "UNKNOWN_PARTITION" -> {
                // The topic may have been re-created or grown since the metadata was fetched: once more after a refresh.
                if (b.unknownTopicRetried) {
                    fail(b, error);
                } else {
                    b.unknownTopicRetried = true;
                    metadata.refresh(topic);
                    retry(b, error, now, backoff.delayNanos(b.attempts + 1), true);
                }
                return;
            }
            default -> {
                // Handled below.
            }
        }
        if (!isRetriable(error)) {
            fail(b, error);
            return;
        }
        if (code.equals("NOT_OWNER")) {
            String owner = error.metadata().getOrDefault("owner_endpoint", "");
            if (!owner.isEmpty()) {
                metadata.redirect(topic, b.partition.partition(), owner);
                if (!owner.equals(b.lastEndpoint)) {
                    retry(b, error, now, 0, true); // a redirect elsewhere: at once
                    return;
                }
                // Redirected to where it was just sent: that node does not know better; back off and ask Metadata.
            }
        }
        if (STALE_OWNER_CODES.contains(code)) {
            metadata.refresh(topic);
        }
        if (code.equals("TOKEN_EXPIRED")) {
            connection.tokens().token().thenAccept(connection.tokens()::invalidate);
        }
        long delay = backoff.delayNanos(b.attempts + 1);
        if (error.retryAfter().isPresent()) {
            delay = Math.max(delay, error.retryAfter().get().toNanos());
        }
        retry(b, error, now, delay, true);
    }

    /**
     * Whether a failure may go away by sending again. Besides what {@link Errors} deems retriable,
     * a storage failure answered UNKNOWN (the commit may or may not have happened) is retried: the
     * producer's guarantee is at-least-once.
     */
    private static boolean isRetriable(TributaryException error) {
        if (error.retriable()) {
            return true;
        }
        return error.code().startsWith("STORAGE_") && error.getCause() != null
                && Status.fromThrowable(error.getCause()).getCode() == Status.Code.UNKNOWN;
    }

    /**
     * Queues the batch again, sendable after {@code delay}. A batch whose deadline comes first
     * waits in the queue and expires at its deadline (TIMEOUT with this failure), not before.
     */
    private void retry(ProducerBatch b, TributaryException error, long now, long delay, boolean countAttempt) {
        if (forceClose) {
            fail(b, RecordAccumulator.closedException());
            return;
        }
        b.lastError = error;
        if (countAttempt) {
            b.attempts++;
        }
        b.retryAtNanos = now + delay;
        LOG.log(System.Logger.Level.DEBUG, "retrying {0} in {1} ms after {2}", b, TimeUnit.NANOSECONDS.toMillis(delay), error.getMessage());
        accumulator.reenqueue(b);
    }

    private TributaryException timeout(ProducerBatch b, TributaryException last) {
        return new TributaryException(TributaryException.TIMEOUT, "not acknowledged within delivery.timeout.ms ("
                + TimeUnit.NANOSECONDS.toMillis(settings.deliveryTimeoutNanos()) + " ms), " + (b.attempts + 1)
                + " attempt(s); last failure: " + last.getMessage(), false, null, last.metadata(), last);
    }

    private void fail(ProducerBatch b, TributaryException error) {
        b.fail(error);
        accumulator.deallocate(b);
    }

    /** Fails everything in flight and queued (cancelling the calls) with {@code error}. */
    private void abortEverything(TributaryException error) {
        List<InFlightRequest> requests = new ArrayList<>(inFlight.values());
        inFlight.clear();
        for (InFlightRequest r : requests) {
            if (r.call != null) {
                r.call.cancel("the producer is closed", null);
            }
            r.batches.values().forEach(batches -> batches.forEach(b -> fail(b, error)));
        }
        for (ProducerBatch b : accumulator.drainAll()) {
            fail(b, error);
        }
        events.clear();
    }

    private static Integer intOrNull(String s) {
        if (s == null || s.isEmpty()) {
            return null;
        }
        try {
            return Integer.valueOf(s);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
