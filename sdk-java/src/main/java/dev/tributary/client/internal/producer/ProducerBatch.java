package dev.tributary.client.internal.producer;

import dev.tributary.client.TopicPartition;
import dev.tributary.client.TributaryException;
import dev.tributary.client.producer.Callback;
import dev.tributary.client.producer.RecordMetadata;
import dev.tributary.record.CompressionCodec;
import dev.tributary.record.Record;
import dev.tributary.record.RecordBatch;
import dev.tributary.record.RecordBatchBuilder;
import dev.tributary.record.RecordHeader;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The records of one partition that travel as one record batch: open while records are appended
 * (under its partition queue's lock), then closed, encoded once, sent, and possibly sent again
 * (retries resend the same bytes). Completes every record's future and callback exactly once.
 */
final class ProducerBatch {
    private static final System.Logger LOG = System.getLogger(ProducerBatch.class.getName());

    /** A sent record waiting for its batch's answer. */
    record PendingRecord(CompletableFuture<RecordMetadata> future, Callback callback, long timestamp, int keySize, int valueSize) {}

    final TopicPartition partition;
    /** Creation order within the partition: retried batches go back in this order. */
    final long sequence;
    /**
     * Order among the batches split from one created batch (same sequence): the position of this
     * piece as a binary fraction of 2^62, so that halves of halves sort where their records were.
     */
    private final long splitOrder;
    private final int splitDepth;
    final long createdNanos;
    /** delivery.timeout.ms after its first record was sent. */
    final long deadlineNanos;
    private final CompressionCodec codec;
    private final List<PendingRecord> records = new ArrayList<>();
    private RecordBatchBuilder builder;
    private long baseTimestamp;
    private int sizeInBytes = RecordBatch.HEADER_BYTES;
    private long reservedBytes;
    private boolean closed;
    private byte[] encoded;
    private boolean completed;

    // Retry state, touched by the sender thread only.
    int attempts;
    long retryAtNanos;
    TributaryException lastError;
    boolean unknownTopicRetried;
    String lastEndpoint;

    /** Completed (normally) once every record of the batch has completed, either way. */
    final CompletableFuture<Void> done = new CompletableFuture<>();

    ProducerBatch(TopicPartition partition, long sequence, long createdNanos, long deadlineNanos, CompressionCodec codec) {
        this(partition, sequence, 0, 0, createdNanos, deadlineNanos, codec);
    }

    private ProducerBatch(TopicPartition partition, long sequence, long splitOrder, int splitDepth, long createdNanos,
            long deadlineNanos, CompressionCodec codec) {
        this.partition = partition;
        this.sequence = sequence;
        this.splitOrder = splitOrder;
        this.splitDepth = splitDepth;
        this.createdNanos = createdNanos;
        this.deadlineNanos = deadlineNanos;
        this.codec = codec;
        this.builder = RecordBatch.builder().compression(codec);
    }

    /**
     * Appends the record if the batch stays within {@code limit} uncompressed bytes (the first
     * record always goes in: the caller checked it fits a batch of its own). Returns the bytes the
     * batch grew by, or -1 when the record does not fit or the batch is closed.
     */
    int tryAppend(long timestamp, byte[] key, byte[] value, List<RecordHeader> headers, PendingRecord pending, int limit) {
        if (closed) {
            return -1;
        }
        int count = records.size();
        long timestampDelta = 0;
        if (count > 0) {
            timestampDelta = timestamp - baseTimestamp;
            if (((timestamp ^ baseTimestamp) & (timestamp ^ timestampDelta)) < 0) {
                return -1; // the delta overflows: the record needs a batch of its own base timestamp
            }
        }
        int size = RecordSizes.recordSize(timestampDelta, count, key, value, headers);
        if (count > 0 && (long) sizeInBytes + size > limit) {
            return -1;
        }
        builder.append(timestamp, key, value, headers);
        if (count == 0) {
            baseTimestamp = timestamp;
        }
        records.add(pending);
        sizeInBytes += size;
        return size;
    }

    /** Whether this batch's records were sent (to its partition) before {@code other}'s. */
    boolean precedes(ProducerBatch other) {
        return sequence != other.sequence ? sequence < other.sequence : splitOrder < other.splitOrder;
    }

    int recordCount() {
        return records.size();
    }

    /** Uncompressed bytes: what the batch encodes to without compression. */
    int sizeInBytes() {
        return sizeInBytes;
    }

    boolean isClosed() {
        return closed;
    }

    /** No more appends: the batch is full or about to be sent. */
    void close() {
        closed = true;
    }

    void addReservedBytes(long bytes) {
        reservedBytes += bytes;
    }

    long reservedBytes() {
        return reservedBytes;
    }

    /** The encoded batch (compressed per the producer's codec); built on first use, then reused for retries. */
    byte[] encoded() {
        if (encoded == null) {
            if (!closed) {
                throw new IllegalStateException("an open batch cannot be encoded");
            }
            encoded = builder.build();
            builder = null; // its buffer is no longer needed
        }
        return encoded;
    }

    /**
     * Splits a batch the server refused as too large into two halves in record order, each to be
     * sent as its own batch. The halves keep this batch's place in the partition's order, creation
     * time and deadline, and split its reserved bytes.
     */
    synchronized List<ProducerBatch> split() {
        if (records.size() < 2) {
            throw new IllegalStateException("a batch of one record cannot be split");
        }
        List<Record> stored = RecordBatch.parse(encoded()).records();
        int half = stored.size() / 2;
        if (splitDepth >= 61) {
            throw new IllegalStateException("a batch cannot be split more than 61 times");
        }
        ProducerBatch first = new ProducerBatch(partition, sequence, splitOrder, splitDepth + 1, createdNanos, deadlineNanos, codec);
        ProducerBatch second = new ProducerBatch(partition, sequence, splitOrder + (1L << (61 - splitDepth)), splitDepth + 1,
                createdNanos, deadlineNanos, codec);
        for (int i = 0; i < stored.size(); i++) {
            Record r = stored.get(i);
            ProducerBatch target = i < half ? first : second;
            target.tryAppend(r.timestamp(), r.key(), r.value(), r.headers(), records.get(i), Integer.MAX_VALUE);
        }
        for (ProducerBatch b : List.of(first, second)) {
            b.close();
            b.attempts = attempts;
            b.lastError = lastError;
            b.lastEndpoint = lastEndpoint;
        }
        first.reservedBytes = reservedBytes / 2;
        second.reservedBytes = reservedBytes - first.reservedBytes;
        completed = true; // the halves own the records now
        // Done when both halves are: flush() waits on this batch's future and must see them through.
        CompletableFuture.allOf(first.done, second.done).whenComplete((ignored, e) -> done.complete(null));
        return List.of(first, second);
    }

    /**
     * Completes every record: offsets {@code baseOffset + i} (or -1 when not known, acks=none).
     * Callbacks first, then the futures, so that a thread waiting on a future sees the callback's
     * effects. Returns false if the batch had already completed.
     */
    synchronized boolean complete(long baseOffset, long logAppendTime) {
        if (completed) {
            return false;
        }
        completed = true;
        for (int i = 0; i < records.size(); i++) {
            PendingRecord r = records.get(i);
            RecordMetadata metadata = new RecordMetadata(partition, baseOffset < 0 ? -1 : baseOffset + i, r.timestamp(),
                    logAppendTime, r.keySize(), r.valueSize());
            notify(r, metadata, null);
            r.future().complete(metadata);
        }
        done.complete(null);
        return true;
    }

    /** Fails every record with {@code error}. Returns false if the batch had already completed. */
    synchronized boolean fail(TributaryException error) {
        if (completed) {
            return false;
        }
        completed = true;
        for (PendingRecord r : records) {
            notify(r, null, error);
            r.future().completeExceptionally(error);
        }
        done.complete(null);
        return true;
    }

    synchronized boolean isCompleted() {
        return completed;
    }

    static void notify(PendingRecord r, RecordMetadata metadata, Exception error) {
        if (r.callback() == null) {
            return;
        }
        try {
            r.callback().onCompletion(metadata, error);
        } catch (RuntimeException | Error e) {
            // A failing callback must not stop the completion of the other records.
            LOG.log(System.Logger.Level.WARNING, "a producer callback threw", e);
        }
    }

    @Override
    public String toString() {
        return "ProducerBatch[" + partition + ", seq " + sequence + ", " + records.size() + " records, " + sizeInBytes + " bytes]";
    }
}
