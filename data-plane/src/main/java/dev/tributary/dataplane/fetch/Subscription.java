package dev.tributary.dataplane.fetch;

import com.google.protobuf.ByteString;
import dev.tributary.api.v1.SubscribeCredit;
import dev.tributary.api.v1.SubscribeRequest;
import dev.tributary.api.v1.SubscribeResponse;
import dev.tributary.api.v1.SubscribeStart;
import dev.tributary.dataplane.PartitionRef;
import dev.tributary.dataplane.StorageExecutor;
import dev.tributary.dataplane.errors.DataPlaneErrors;
import dev.tributary.dataplane.quota.QuotaGate;
import dev.tributary.log.FetchResult;
import dev.tributary.log.PartitionLog;
import dev.tributary.quota.QuotaEnforcer;
import dev.tributary.topic.TopicMetadata;
import dev.tributary.topic.TopicStore;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * One Subscribe stream: a partition's batches pushed to the client as far as its credit allows.
 *
 * <p>Inbound messages (start, credit) arrive on the event loop and only update counters; the
 * sending is done by a "pump" on the storage executor, at most one at a time per stream (a
 * work-in-progress counter serializes it, so the response observer is never called concurrently).
 * The pump reads at most the byte credit left (the log returns at least one batch), holds what it
 * read but may not send yet, and sends a batch only when one batch credit and its size in byte
 * credit remain. When the partition has nothing new it waits on the shared high-watermark watch
 * ({@link HighWatermarkWaiters}) for at most the fetch max-wait, then looks again; when credit is
 * missing it does nothing until credit arrives. A slow consumer therefore costs a few counters and
 * at most one read's worth of held batches, never a flood.
 *
 * <p>Quotas: from its start message until it ends, the stream counts against the tenant's
 * connection quota on this pod (refused with CONNECTION_QUOTA_EXCEEDED beyond it). What it sends
 * counts against the tenant's fetch rate; while that budget is spent, the next read waits until it
 * is positive again instead of failing the stream (what was read is still sent).
 */
final class Subscription implements StreamObserver<SubscribeRequest> {
    /** Upper bound on one read, whatever the byte credit. */
    private static final int MAX_READ_BYTES = 4 * 1024 * 1024;

    private final String tenant;
    /** Throws (PERMISSION_DENIED) unless the subscriber may read the named topic; checked at the start and before every read. */
    private final Consumer<String> requireRead;
    private final ServerCallStreamObserver<SubscribeResponse> response;
    private final TopicStore topics;
    private final PartitionLog log;
    private final HighWatermarkWaiters waiters;
    private final StorageExecutor executor;
    private final Duration maxWait;
    private final QuotaGate quotas;
    private final AtomicInteger pumpRequests = new AtomicInteger();
    /** This stream's place in the tenant's connection quota, from the start message on; released when it ends. */
    private volatile QuotaEnforcer.StreamPermit stream;

    // Written on the event loop, read by the pump: guarded by this.
    private SubscribeStart start;
    private long batchCredit;
    private long byteCredit;
    private boolean halfClosed;
    private boolean finished;
    /** A protocol violation seen on the event loop, reported by the pump (the only thread that answers). */
    private RuntimeException pendingError;

    // The pump's own state (one pump at a time).
    private PartitionRef partition;
    private long nextOffset;
    private final ArrayDeque<byte[]> held = new ArrayDeque<>();
    private CompletableFuture<Long> waiting;

    Subscription(String tenant, Consumer<String> requireRead, ServerCallStreamObserver<SubscribeResponse> response,
            TopicStore topics, PartitionLog log, HighWatermarkWaiters waiters, StorageExecutor executor, Duration maxWait,
            QuotaGate quotas) {
        this.tenant = tenant;
        this.requireRead = requireRead;
        this.response = response;
        this.topics = topics;
        this.log = log;
        this.waiters = waiters;
        this.executor = executor;
        this.maxWait = maxWait;
        this.quotas = quotas;
        response.setOnCancelHandler(() -> {
            synchronized (this) {
                finished = true;
            }
            stopWaiting();
        });
    }

    @Override
    public void onNext(SubscribeRequest request) {
        synchronized (this) {
            if (finished) {
                return;
            }
            switch (request.getKindCase()) {
                case START -> {
                    if (start != null) {
                        pendingError = DataPlaneErrors.invalidRequest("a subscription takes one start message; later messages carry credit");
                        break;
                    }
                    start = request.getStart();
                    addCredit(start.getCredit());
                }
                case CREDIT -> {
                    if (start == null) {
                        pendingError = DataPlaneErrors.invalidRequest("the first message of a subscription must be a start");
                        break;
                    }
                    addCredit(request.getCredit());
                }
                default -> pendingError = DataPlaneErrors.invalidRequest("a subscribe message must carry start or credit");
            }
        }
        schedulePump();
    }

    private void addCredit(SubscribeCredit credit) {
        if (credit.getBatches() < 0 || credit.getBytes() < 0) {
            pendingError = DataPlaneErrors.invalidRequest("credit cannot be negative");
            return;
        }
        batchCredit = saturatedAdd(batchCredit, credit.getBatches());
        byteCredit = saturatedAdd(byteCredit, credit.getBytes());
    }

    @Override
    public void onError(Throwable t) {
        synchronized (this) {
            finished = true;
        }
        stopWaiting();
    }

    @Override
    public void onCompleted() {
        synchronized (this) {
            halfClosed = true;
        }
        schedulePump();
    }

    /** Called by the pump only: ends the stream with an error once. */
    private void fail(RuntimeException e) {
        synchronized (this) {
            if (finished) {
                return;
            }
            finished = true;
        }
        stopWaiting();
        response.onError(DataPlaneErrors.toStatusException(e));
    }

    /** Every end of the stream (cancel, client error, failure, completion) passes here. */
    private void stopWaiting() {
        QuotaEnforcer.StreamPermit counted = stream;
        if (counted != null) {
            counted.release();
        }
        CompletableFuture<Long> w = waiting;
        if (w != null) {
            w.complete(HighWatermarkWaiters.TIMED_OUT);
        }
    }

    private void schedulePump() {
        if (pumpRequests.getAndIncrement() == 0) {
            executor.execute(this::pumpLoop);
        }
    }

    private void pumpLoop() {
        int missed = 1;
        while (true) {
            try {
                pump();
            } catch (RuntimeException e) {
                fail(e);
            }
            missed = pumpRequests.addAndGet(-missed);
            if (missed == 0) {
                return;
            }
        }
    }

    private void pump() {
        SubscribeStart started;
        RuntimeException error;
        boolean complete;
        synchronized (this) {
            if (finished) {
                return;
            }
            error = pendingError;
            complete = halfClosed && error == null;
            finished = error != null || complete;
            started = start;
        }
        if (error != null || complete) {
            stopWaiting();
            if (error != null) {
                response.onError(DataPlaneErrors.toStatusException(error));
            } else {
                response.onCompleted();
            }
            return;
        }
        if (started == null) {
            return;
        }
        // An ACL revoked while the stream is open ends it at its next read (a cached decision: no store read).
        requireRead.accept(started.getTopic());
        if (partition == null) {
            openStream();
            TopicMetadata topic = topics.get(tenant, started.getTopic());
            if (started.getPartition() < 0 || started.getPartition() >= topic.partitions()) {
                throw FetchGrpcService.unknownPartition(topic, started.getPartition());
            }
            partition = new PartitionRef(tenant, topic.id(), started.getPartition());
            nextOffset = started.getOffset();
            // Checks the offset at once: OFFSET_OUT_OF_RANGE names the valid range.
            log.fetch(tenant, topic.id(), started.getPartition(), nextOffset, 1);
        }
        if (waiting != null && !waiting.isDone()) {
            // Credit arrived while waiting for data: the wait's completion pumps again.
            if (!held.isEmpty()) {
                sendHeld();
            }
            return;
        }
        while (true) {
            if (!held.isEmpty()) {
                if (!sendHeld()) {
                    return; // out of credit: the next credit message pumps again
                }
                continue;
            }
            long bytes;
            synchronized (this) {
                if (finished) {
                    return;
                }
                if (batchCredit <= 0 || byteCredit <= 0) {
                    return;
                }
                bytes = byteCredit;
            }
            requireRead.accept(started.getTopic());
            if (throttled()) {
                return; // over the fetch rate: the delay's end pumps again
            }
            FetchResult read = log.fetch(partition.tenant(), partition.topicId(), partition.partition(), nextOffset,
                    (int) Math.min(bytes, MAX_READ_BYTES));
            if (read.batches().isEmpty()) {
                CompletableFuture<Long> wait = waiters.awaitAbove(partition, read.highWatermark(), maxWait);
                waiting = wait;
                wait.whenComplete((h, e) -> schedulePump());
                synchronized (this) {
                    if (finished) {
                        wait.complete(HighWatermarkWaiters.TIMED_OUT);
                    }
                }
                return;
            }
            held.addAll(read.batches());
        }
    }

    /** Sends held batches while credit covers them; false when credit ran out with batches still held. */
    private boolean sendHeld() {
        while (!held.isEmpty()) {
            byte[] batch = held.peek();
            synchronized (this) {
                if (finished) {
                    return false;
                }
                if (batchCredit < 1 || byteCredit < batch.length) {
                    return false;
                }
                batchCredit--;
                byteCredit -= batch.length;
            }
            held.poll();
            nextOffset = lastOffset(batch) + 1;
            response.onNext(SubscribeResponse.newBuilder().addBatches(ByteString.copyFrom(batch)).build());
            quotas.recordFetched(tenant, batch.length);
        }
        return true;
    }

    /** Counts this stream against the tenant's connection quota (CONNECTION_QUOTA_EXCEEDED beyond it). */
    private void openStream() {
        QuotaEnforcer.StreamPermit permit = quotas.openStream(tenant);
        stream = permit;
        synchronized (this) {
            if (!finished) {
                return;
            }
        }
        permit.release(); // the stream ended while it was being counted
    }

    /**
     * If the tenant's fetch budget is spent, waits until it is positive again (then pumps) and
     * returns true; the wait is ended early like a wait for data, when the stream ends.
     */
    private boolean throttled() {
        long delayNanos = quotas.fetchDelayNanos(tenant);
        if (delayNanos <= 0) {
            return false;
        }
        CompletableFuture<Long> wait = new CompletableFuture<>();
        CompletableFuture.delayedExecutor(delayNanos, TimeUnit.NANOSECONDS).execute(() -> wait.complete(HighWatermarkWaiters.TIMED_OUT));
        waiting = wait;
        wait.whenComplete((h, e) -> schedulePump());
        synchronized (this) {
            if (finished) {
                wait.complete(HighWatermarkWaiters.TIMED_OUT);
            }
        }
        return true;
    }

    /** Base offset (bytes 0-7) plus last offset delta (bytes 19-22) of a stored batch (docs/record-format.md). */
    static long lastOffset(byte[] batch) {
        ByteBuffer b = ByteBuffer.wrap(batch);
        return b.getLong(0) + b.getInt(19);
    }

    private static long saturatedAdd(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
    }

    /** The observer returned for a call refused before it started: ignores whatever the client sends. */
    static final class Ignoring implements StreamObserver<SubscribeRequest> {
        @Override
        public void onNext(SubscribeRequest value) {}

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onCompleted() {}
    }
}
