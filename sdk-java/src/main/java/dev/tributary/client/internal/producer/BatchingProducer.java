package dev.tributary.client.internal.producer;

import dev.tributary.client.Header;
import dev.tributary.client.TopicPartition;
import dev.tributary.client.TributaryException;
import dev.tributary.client.internal.Connection;
import dev.tributary.client.internal.producer.ProducerBatch.PendingRecord;
import dev.tributary.client.internal.producer.ProducerMetadata.TopicLayout;
import dev.tributary.client.internal.producer.RecordAccumulator.AppendResult;
import dev.tributary.client.producer.Callback;
import dev.tributary.client.producer.Producer;
import dev.tributary.client.producer.ProducerConfig;
import dev.tributary.client.producer.ProducerRecord;
import dev.tributary.client.producer.RecordMetadata;
import dev.tributary.client.serde.Serializer;
import dev.tributary.record.RecordHeader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The SDK's {@link Producer}: the calling thread serializes a record, picks its partition and
 * appends it to the {@link RecordAccumulator}; one I/O thread (the {@link Sender}) sends the
 * batches and completes the records.
 *
 * <p>Partition choice, in order: the record's explicit partition; else {@link Murmur2} of the
 * serialized key modulo the partition count (Kafka's mapping); else the topic's sticky partition
 * ({@link StickyPartitions}), which moves on each time its batch is closed or sent.
 *
 * <p>{@code send} blocks only for the topic's metadata the first time (and when an explicit
 * partition is beyond the known count) and while buffer.memory is full, together at most {@code
 * max.block.ms}. Failures found before queueing (serialization, RECORD_TOO_LARGE, UNKNOWN_TOPIC,
 * BUFFER_EXHAUSTED, CLOSED) complete the future and call the callback on the calling thread; all
 * others on the I/O thread.
 */
public final class BatchingProducer<K, V> implements Producer<K, V> {
    private static final System.Logger LOG = System.getLogger(BatchingProducer.class.getName());
    private static final AtomicInteger INSTANCES = new AtomicInteger();
    /** How long close waits for the I/O thread after forcing it to stop. */
    private static final long FORCED_CLOSE_JOIN_MILLIS = 10_000;

    private final ProducerSettings settings;
    private final Serializer<K> keySerializer;
    private final Serializer<V> valueSerializer;
    private final ProducerMetadata metadata;
    private final RecordAccumulator accumulator;
    private final StickyPartitions sticky = new StickyPartitions();
    private final Sender sender;
    private final Thread ioThread;
    private final AtomicBoolean closed = new AtomicBoolean();

    public BatchingProducer(Connection connection, ProducerConfig config, Serializer<K> keySerializer, Serializer<V> valueSerializer) {
        Objects.requireNonNull(connection, "connection");
        this.settings = ProducerSettings.of(Objects.requireNonNull(config, "config"));
        this.keySerializer = Objects.requireNonNull(keySerializer, "keySerializer");
        this.valueSerializer = Objects.requireNonNull(valueSerializer, "valueSerializer");
        if (connection.isClosed()) {
            throw new TributaryException(TributaryException.CLOSED, "the client is closed");
        }
        this.metadata = new ProducerMetadata(connection, settings);
        this.accumulator = new RecordAccumulator(settings);
        this.sender = new Sender(connection, settings, accumulator, metadata);
        String name = "tributary-producer-" + (settings.clientId().isEmpty() ? Integer.toString(INSTANCES.incrementAndGet())
                : settings.clientId());
        this.ioThread = new Thread(sender, name);
        // Like the rest of the client's threads: an application that forgets close() can still exit.
        ioThread.setDaemon(true);
        ioThread.start();
    }

    @Override
    public CompletableFuture<RecordMetadata> send(ProducerRecord<K, V> record) {
        return send(record, null);
    }

    @Override
    public CompletableFuture<RecordMetadata> send(ProducerRecord<K, V> record, Callback callback) {
        Objects.requireNonNull(record, "record");
        CompletableFuture<RecordMetadata> future = new CompletableFuture<>();
        try {
            enqueue(record, future, callback);
        } catch (TributaryException e) {
            failNow(future, callback, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failNow(future, callback, new TributaryException(TributaryException.INTERRUPTED, "interrupted while sending", e));
        }
        return future;
    }

    private void enqueue(ProducerRecord<K, V> record, CompletableFuture<RecordMetadata> future, Callback callback)
            throws InterruptedException {
        long sendNanos = System.nanoTime();
        if (closed.get()) {
            throw RecordAccumulator.closedException();
        }
        String topic = record.topic();
        byte[] key = serialize(keySerializer, topic, record.key(), "key");
        byte[] value = serialize(valueSerializer, topic, record.value(), "value");
        List<RecordHeader> headers = new ArrayList<>(record.headers().size());
        for (Header h : record.headers()) {
            headers.add(new RecordHeader(h.key(), h.value()));
        }
        long timestamp = record.timestamp() != null ? record.timestamp() : System.currentTimeMillis();
        // Refuse what can never be sent before waiting for anything.
        accumulator.checkRecordSize(RecordSizes.batchOfOneSize(key, value, headers));

        TopicLayout layout = metadata.await(topic, settings.maxBlockNanos(), false);
        int partition;
        boolean stickyChoice = false;
        if (record.partition() != null) {
            partition = record.partition();
            if (partition >= layout.partitions()) {
                // Partitions may have been added since the metadata was fetched: ask once more.
                layout = metadata.await(topic, remainingBlock(sendNanos), true);
                if (partition >= layout.partitions()) {
                    throw new TributaryException("UNKNOWN_PARTITION", "topic '" + topic + "' has partitions 0.."
                            + (layout.partitions() - 1) + ", not " + partition);
                }
            }
        } else if (key != null) {
            partition = Murmur2.partition(key, layout.partitions());
        } else {
            partition = sticky.partition(topic, layout.partitions());
            stickyChoice = true;
        }
        PendingRecord pending = new PendingRecord(future, callback, timestamp, key == null ? -1 : key.length,
                value == null ? -1 : value.length);
        AppendResult result = accumulator.append(new TopicPartition(topic, partition), timestamp, key, value, headers, pending, sendNanos,
                System.nanoTime() - sendNanos, stickyChoice);
        if (result == AppendResult.NEEDS_NEW_BATCH) {
            // The sticky partition's batch was sent or is full: move to the next partition and open a batch there.
            partition = sticky.next(topic, layout.partitions(), partition);
            result = accumulator.append(new TopicPartition(topic, partition), timestamp, key, value, headers, pending, sendNanos,
                    System.nanoTime() - sendNanos, false);
        }
        if (result.wakesSender()) {
            sender.wakeup();
        }
    }

    private long remainingBlock(long sendNanos) {
        return settings.maxBlockNanos() - (System.nanoTime() - sendNanos);
    }

    private static <T> byte[] serialize(Serializer<T> serializer, String topic, T data, String what) {
        try {
            return serializer.serialize(topic, data);
        } catch (RuntimeException e) {
            throw new TributaryException(TributaryException.SERIALIZATION, "cannot serialize the " + what + " of a record for topic '"
                    + topic + "': " + e, e);
        }
    }

    private static void failNow(CompletableFuture<RecordMetadata> future, Callback callback, TributaryException e) {
        ProducerBatch.notify(new PendingRecord(future, callback, 0, 0, 0), null, e);
        future.completeExceptionally(e);
    }

    @Override
    public void flush() {
        if (sender.isSenderThread()) {
            throw new IllegalStateException("flush() from a producer callback would wait for the thread that runs it");
        }
        accumulator.beginFlush();
        sender.wakeup();
        try {
            for (CompletableFuture<Void> batch : accumulator.incompleteBatches()) {
                batch.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TributaryException(TributaryException.INTERRUPTED, "interrupted during flush", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("a batch's completion future never fails", e);
        } finally {
            accumulator.endFlush();
        }
    }

    @Override
    public List<TopicPartition> partitionsFor(String topic) {
        Objects.requireNonNull(topic, "topic");
        if (closed.get()) {
            throw RecordAccumulator.closedException();
        }
        try {
            TopicLayout layout = metadata.await(topic, settings.maxBlockNanos(), false);
            List<TopicPartition> partitions = new ArrayList<>(layout.partitions());
            for (int p = 0; p < layout.partitions(); p++) {
                partitions.add(new TopicPartition(topic, p));
            }
            return List.copyOf(partitions);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TributaryException(TributaryException.INTERRUPTED, "interrupted while fetching metadata", e);
        }
    }

    @Override
    public void close() {
        close(Duration.ofNanos(Long.MAX_VALUE));
    }

    @Override
    public void close(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (closed.compareAndSet(false, true)) {
            accumulator.close(); // later sends fail with CLOSED, blocked ones wake and fail
            sender.initiateClose();
        }
        if (sender.isSenderThread()) {
            // From a callback: waiting for the I/O thread would wait for ourselves.
            LOG.log(System.Logger.Level.WARNING, "close() called from a producer callback: pending records fail with CLOSED");
            sender.forceClose();
            return;
        }
        long millis;
        try {
            // A positive timeout below a millisecond still waits a millisecond.
            millis = timeout.isNegative() || timeout.isZero() ? 0 : Math.max(1, timeout.toMillis());
        } catch (ArithmeticException e) {
            millis = Long.MAX_VALUE;
        }
        try {
            if (millis > 0) {
                ioThread.join(millis);
            }
            if (ioThread.isAlive()) {
                sender.forceClose();
                ioThread.join(FORCED_CLOSE_JOIN_MILLIS);
                if (ioThread.isAlive()) {
                    LOG.log(System.Logger.Level.WARNING, "the producer's I/O thread did not stop (blocked in a callback?)");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            sender.forceClose();
        }
    }
}
