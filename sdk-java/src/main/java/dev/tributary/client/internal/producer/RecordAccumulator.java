package dev.tributary.client.internal.producer;

import dev.tributary.client.TopicPartition;
import dev.tributary.client.TributaryException;
import dev.tributary.client.internal.producer.ProducerBatch.PendingRecord;
import dev.tributary.record.CompressionCodec;
import dev.tributary.record.RecordBatch;
import dev.tributary.record.RecordHeader;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Per-partition queues of batches between the threads calling send and the sender thread.
 *
 * <p>Appends go into the partition's last batch while it has room ({@code batch.size}
 * uncompressed bytes, see {@link ProducerSettings#batchLimit()}); a record that does not fit
 * closes it and opens the next. Before appending, a record's bytes are reserved from {@code
 * buffer.memory}, blocking up to {@code max.block.ms}; they come back when its batch completes.
 *
 * <p>A partition's first batch becomes sendable when it is closed (full), when it has been open for
 * {@code linger.ms}, during a flush or close, or when its retry backoff has passed; at most {@code
 * max.in.flight.requests.per.partition} requests per partition are in flight. Retried batches go
 * back in creation order, so with one request in flight a partition's order survives retries.
 *
 * <p>Threads: {@link #append} from any thread; everything else from the sender thread (tests call
 * it directly). Each partition queue is guarded by its own monitor.
 */
final class RecordAccumulator {
    /** The smallest record (7 bytes): a batch with less room left than this is full. */
    private static final int MIN_RECORD_BYTES = 7;
    /**
     * A record appended to an existing batch can be larger than in a batch of its own: its offset
     * and timestamp deltas are no longer 0 (up to 13 more varint bytes), which may lengthen its
     * length prefix by one byte.
     */
    private static final int APPEND_GROWTH_SLACK = RecordSizes.MAX_DELTA_EXTRA_BYTES + 1;

    /** What an append did, and so whether the sender has something new to look at. */
    enum AppendResult {
        /** Went into an open batch that still has room. */
        APPENDED,
        /** Filled its batch, which is now sendable. */
        BATCH_FULL,
        /** Opened a new batch (closing the previous one, if any). */
        NEW_BATCH,
        /** Not appended: it would have opened a new batch and the caller asked to be told instead. */
        NEEDS_NEW_BATCH;

        boolean wakesSender() {
            return this == BATCH_FULL || this == NEW_BATCH;
        }
    }

    /** A batch whose encoding failed, taken out of its queue to be failed by the caller. */
    record Unencodable(ProducerBatch batch, Throwable failure) {}

    /**
     * Partitions whose first batch may be sent now, and when to look again (nanos from now, or -1:
     * no timer): the next linger or backoff to end, or the next delivery deadline to pass.
     */
    record Ready(List<TopicPartition> partitions, long nextCheckDelayNanos) {}

    private static final class PartitionQueue {
        final ArrayDeque<ProducerBatch> batches = new ArrayDeque<>();
        int inFlightRequests;
        long nextSequence;
    }

    private final int batchLimit;
    private final int maxRequestSize;
    private final int batchSize;
    private final long lingerNanos;
    private final long maxBlockNanos;
    private final long deliveryTimeoutNanos;
    private final int maxInFlightPerPartition;
    private final CompressionCodec compression;
    private final BufferBudget budget;
    private final ConcurrentMap<TopicPartition, PartitionQueue> queues = new ConcurrentHashMap<>();
    /** Every batch created and not yet completed (queued or in flight), for flush. */
    private final Set<ProducerBatch> incomplete = ConcurrentHashMap.newKeySet();
    private final AtomicInteger flushesInProgress = new AtomicInteger();
    private volatile boolean closed;

    RecordAccumulator(ProducerSettings settings) {
        this.batchLimit = settings.batchLimit();
        this.maxRequestSize = settings.maxRequestSize();
        this.batchSize = settings.batchSize();
        this.lingerNanos = settings.lingerNanos();
        this.maxBlockNanos = settings.maxBlockNanos();
        this.deliveryTimeoutNanos = settings.deliveryTimeoutNanos();
        this.maxInFlightPerPartition = settings.maxInFlightPerPartition();
        this.compression = settings.compression();
        this.budget = new BufferBudget(settings.bufferMemory());
    }

    /**
     * Fails with RECORD_TOO_LARGE, naming the limit, when a record that makes a batch of {@code
     * batchOfOneSize} bytes on its own could never be sent.
     */
    void checkRecordSize(int batchOfOneSize) {
        String limit = null;
        long value = 0;
        if (batchOfOneSize > maxRequestSize) {
            limit = "max.request.size";
            value = maxRequestSize;
        } else if (batchOfOneSize > batchSize) {
            limit = "batch.size";
            value = batchSize;
        } else if (batchOfOneSize > ProducerSettings.MAX_PARTITION_BYTES_PER_REQUEST) {
            limit = "the server's limit per partition and request";
            value = ProducerSettings.MAX_PARTITION_BYTES_PER_REQUEST;
        } else if (batchOfOneSize + APPEND_GROWTH_SLACK > budget.total()) {
            limit = "buffer.memory";
            value = budget.total();
        }
        if (limit != null) {
            throw new TributaryException("RECORD_TOO_LARGE", "the record is " + batchOfOneSize
                    + " bytes in a batch of its own (" + RecordBatch.HEADER_BYTES + "-byte batch header included), more than "
                    + limit + " (" + value + " bytes)");
        }
    }

    /**
     * Appends a record to its partition's open batch, or to a new one. {@code pending} completes
     * when the batch does. Blocks up to {@code max.block.ms} (less the {@code alreadyBlockedNanos}
     * spent before, waiting for metadata) while {@code buffer.memory} is spent, then fails with
     * BUFFER_EXHAUSTED. With {@code abortOnNewBatch}, returns {@link AppendResult#NEEDS_NEW_BATCH}
     * instead of opening a batch (the sticky partitioner then moves on).
     */
    AppendResult append(TopicPartition partition, long timestamp, byte[] key, byte[] value, List<RecordHeader> headers,
            PendingRecord pending, long sendNanos, long alreadyBlockedNanos, boolean abortOnNewBatch) throws InterruptedException {
        int batchOfOne = RecordSizes.batchOfOneSize(key, value, headers);
        checkRecordSize(batchOfOne);
        if (closed) {
            throw closedException();
        }
        long reservation = batchOfOne + APPEND_GROWTH_SLACK;
        if (!budget.reserve(reservation, maxBlockNanos - alreadyBlockedNanos)) {
            throw new TributaryException(TributaryException.BUFFER_EXHAUSTED, "buffer.memory (" + budget.total()
                    + " bytes) stayed full for max.block.ms (" + TimeUnit.NANOSECONDS.toMillis(maxBlockNanos)
                    + " ms): records are sent more slowly than they are produced");
        }
        long kept = 0;
        try {
            PartitionQueue queue = queues.computeIfAbsent(partition, p -> new PartitionQueue());
            synchronized (queue) {
                if (closed) {
                    throw closedException();
                }
                ProducerBatch last = queue.batches.peekLast();
                if (last != null && !last.isClosed()) {
                    int grown = last.tryAppend(timestamp, key, value, headers, pending, batchLimit);
                    if (grown >= 0) {
                        last.addReservedBytes(grown);
                        kept = grown;
                        if (last.sizeInBytes() + MIN_RECORD_BYTES > batchLimit) {
                            last.close();
                            return AppendResult.BATCH_FULL;
                        }
                        return AppendResult.APPENDED;
                    }
                }
                if (abortOnNewBatch) {
                    return AppendResult.NEEDS_NEW_BATCH;
                }
                if (last != null) {
                    last.close();
                }
                ProducerBatch batch = new ProducerBatch(partition, queue.nextSequence++, sendNanos, sendNanos + deliveryTimeoutNanos,
                        compression);
                int grown = batch.tryAppend(timestamp, key, value, headers, pending, batchLimit);
                if (grown < 0) {
                    throw new IllegalStateException("a record checked to fit a batch of its own did not: " + batchOfOne);
                }
                kept = RecordBatch.HEADER_BYTES + grown;
                batch.addReservedBytes(kept);
                if (batch.sizeInBytes() + MIN_RECORD_BYTES > batchLimit) {
                    batch.close();
                }
                queue.batches.addLast(batch);
                incomplete.add(batch);
                return AppendResult.NEW_BATCH;
            }
        } finally {
            budget.release(reservation - kept);
        }
    }

    /** Which partitions have a batch to send now (sender thread). */
    Ready ready(long nowNanos) {
        boolean sendAll = sendingEverything();
        List<TopicPartition> ready = new ArrayList<>();
        long next = -1;
        for (var entry : queues.entrySet()) {
            PartitionQueue queue = entry.getValue();
            synchronized (queue) {
                ProducerBatch head = queue.batches.peekFirst();
                if (head == null) {
                    continue;
                }
                // The head has the queue's earliest delivery deadline (batches are queued in creation order).
                long untilExpiry = Math.max(0, head.deadlineNanos - nowNanos);
                if (next < 0 || untilExpiry < next) {
                    next = untilExpiry;
                }
                if (queue.inFlightRequests >= maxInFlightPerPartition) {
                    continue; // the request's completion wakes the sender
                }
                long wait = waitNanos(queue, head, nowNanos, sendAll);
                if (wait <= 0) {
                    ready.add(entry.getKey());
                } else if (next < 0 || wait < next) {
                    next = wait;
                }
            }
        }
        return new Ready(ready, next);
    }

    /**
     * Takes the partition's sendable batches from the front of its queue, in order, encoded, up
     * to {@code maxBytes} of encoded batches (nothing if the first does not fit), and counts one
     * more request in flight for the partition if any were taken (sender thread). Batches that
     * cannot be encoded are removed and added to {@code unencodable}.
     */
    List<ProducerBatch> drain(TopicPartition partition, long nowNanos, long maxBytes, List<Unencodable> unencodable) {
        return drain(partition, nowNanos, maxBytes, Long.MAX_VALUE, unencodable);
    }

    /**
     * As {@link #drain(TopicPartition, long, long, List)}, also taking at most {@code
     * maxUncompressedBytes} of batches before compression ({@link ProducerBatch#sizeInBytes()}).
     */
    List<ProducerBatch> drain(TopicPartition partition, long nowNanos, long maxBytes, long maxUncompressedBytes,
            List<Unencodable> unencodable) {
        PartitionQueue queue = queues.get(partition);
        if (queue == null) {
            return List.of();
        }
        boolean sendAll = sendingEverything();
        List<ProducerBatch> taken = new ArrayList<>();
        synchronized (queue) {
            if (queue.inFlightRequests >= maxInFlightPerPartition) {
                return List.of();
            }
            long bytes = 0;
            long uncompressed = 0;
            ProducerBatch head;
            while ((head = queue.batches.peekFirst()) != null) {
                if (waitNanos(queue, head, nowNanos, sendAll) > 0) {
                    break;
                }
                // Closing it here means later records open a new batch; encoding under the queue's
                // monitor only delays appends to this partition, by one batch's compression.
                head.close();
                int size;
                try {
                    size = head.encoded().length;
                } catch (RuntimeException | LinkageError e) {
                    // A codec that cannot run here (its native library failed to load): the batch can never be sent.
                    queue.batches.pollFirst();
                    unencodable.add(new Unencodable(head, e));
                    continue;
                }
                if (bytes + size > maxBytes || uncompressed + head.sizeInBytes() > maxUncompressedBytes) {
                    break;
                }
                queue.batches.pollFirst();
                taken.add(head);
                bytes += size;
                uncompressed += head.sizeInBytes();
            }
            if (!taken.isEmpty()) {
                queue.inFlightRequests++;
            }
        }
        return taken;
    }

    /** Nanos until the queue's first batch may be sent; 0 or less: now. */
    private long waitNanos(PartitionQueue queue, ProducerBatch head, long nowNanos, boolean sendAll) {
        long wait = 0;
        if (head.attempts > 0) {
            wait = head.retryAtNanos - nowNanos; // a retry waits for its backoff even during flush or close
        }
        if (!(head.isClosed() || queue.batches.size() > 1 || sendAll)) {
            wait = Math.max(wait, head.createdNanos + lingerNanos - nowNanos);
        }
        return wait;
    }

    /** A request carrying batches of the partition has ended, however (sender thread). */
    void requestCompleted(TopicPartition partition) {
        PartitionQueue queue = queues.get(partition);
        synchronized (queue) {
            queue.inFlightRequests--;
        }
    }

    /** Puts a batch back for a retry, in send order among the queued batches of its partition (sender thread). */
    void reenqueue(ProducerBatch batch) {
        PartitionQueue queue = queues.get(batch.partition);
        synchronized (queue) {
            // Usually it goes first; earlier retried (or split) batches may be there already.
            ArrayDeque<ProducerBatch> earlier = new ArrayDeque<>();
            while (!queue.batches.isEmpty() && queue.batches.peekFirst().precedes(batch)) {
                earlier.addLast(queue.batches.pollFirst());
            }
            queue.batches.addFirst(batch);
            while (!earlier.isEmpty()) {
                queue.batches.addFirst(earlier.pollLast());
            }
        }
    }

    /** Replaces a batch the server refused as too large by its two halves, queued in its place (sender thread). */
    List<ProducerBatch> splitAndReenqueue(ProducerBatch batch) {
        List<ProducerBatch> halves = batch.split();
        incomplete.addAll(halves);
        incomplete.remove(batch);
        reenqueue(halves.get(0));
        reenqueue(halves.get(1));
        return halves;
    }

    /** Removes and returns the queued batches whose delivery deadline has passed (sender thread). */
    List<ProducerBatch> expire(long nowNanos) {
        List<ProducerBatch> expired = new ArrayList<>();
        for (PartitionQueue queue : queues.values()) {
            synchronized (queue) {
                Iterator<ProducerBatch> it = queue.batches.iterator();
                while (it.hasNext()) {
                    ProducerBatch b = it.next();
                    if (b.deadlineNanos - nowNanos <= 0) {
                        b.close();
                        it.remove();
                        expired.add(b);
                    }
                }
            }
        }
        return expired;
    }

    /** Removes and returns every queued batch (closing for good). */
    List<ProducerBatch> drainAll() {
        List<ProducerBatch> all = new ArrayList<>();
        for (PartitionQueue queue : queues.values()) {
            synchronized (queue) {
                for (ProducerBatch b : queue.batches) {
                    b.close();
                    all.add(b);
                }
                queue.batches.clear();
            }
        }
        return all;
    }

    /** Returns a completed batch's bytes to buffer.memory. */
    void deallocate(ProducerBatch batch) {
        if (incomplete.remove(batch)) {
            budget.release(batch.reservedBytes());
        }
    }

    boolean hasQueuedBatches() {
        for (PartitionQueue queue : queues.values()) {
            synchronized (queue) {
                if (!queue.batches.isEmpty()) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Futures of every batch not yet completed now (for flush). */
    List<CompletableFuture<Void>> incompleteBatches() {
        List<CompletableFuture<Void>> pending = new ArrayList<>();
        for (ProducerBatch b : incomplete) {
            pending.add(b.done);
        }
        return pending;
    }

    void beginFlush() {
        flushesInProgress.incrementAndGet();
    }

    void endFlush() {
        flushesInProgress.decrementAndGet();
    }

    /** No more appends (CLOSED); queued batches are sent without lingering. Wakes blocked senders. */
    void close() {
        closed = true;
        budget.close();
    }

    boolean isClosed() {
        return closed;
    }

    /** Bytes of buffer.memory not in use. */
    long availableMemory() {
        return budget.available();
    }

    private boolean sendingEverything() {
        return closed || flushesInProgress.get() > 0;
    }

    static TributaryException closedException() {
        return new TributaryException(TributaryException.CLOSED, "the producer is closed");
    }
}
