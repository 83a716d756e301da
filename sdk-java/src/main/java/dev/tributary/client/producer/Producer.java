package dev.tributary.client.producer;

import dev.tributary.client.TopicPartition;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Sends records to topics, batching per partition ({@code linger.ms}, {@code batch.size}),
 * compressing ({@code compression.type}) and retrying retriable failures (redirects to a moved
 * partition owner, unavailability) with backoff until {@code delivery.timeout.ms}. Thread-safe:
 * share one producer between threads.
 *
 * <p>Records sent to one partition from one thread are stored in send order unless a batch is
 * retried: the producer starts the partition's Produce calls in send order on one connection (up
 * to {@code max.in.flight.requests.per.partition}, default 5, at a time), and the server appends
 * calls for a partition in the order they arrived. A retry can change the order: a batch whose call
 * failed (a lost connection, NOT_OWNER while the partition moves to another server, ...) and is
 * resent is stored after the partition's later batches whose calls succeeded meanwhile. With
 * {@code max.in.flight.requests.per.partition=1} the order holds across retries as well (a failed
 * batch is resent before any later one is sent). With acks=durable a completed future means the
 * record is committed (fsynced) and survives a server crash; retries after an ambiguous failure
 * (the answer was lost) can store a record twice (at-least-once).
 */
public interface Producer<K, V> extends AutoCloseable {
    /**
     * Queues the record and returns at once (blocks only while {@code buffer.memory} is full, up
     * to {@code max.block.ms}). The future completes with where the record was stored, or
     * exceptionally with a {@link dev.tributary.client.TributaryException}.
     */
    CompletableFuture<RecordMetadata> send(ProducerRecord<K, V> record);

    /** As {@link #send(ProducerRecord)}, also calling {@code callback} on completion. */
    CompletableFuture<RecordMetadata> send(ProducerRecord<K, V> record, Callback callback);

    /** Sends everything queued now and waits until each of those records completed (either way). */
    void flush();

    /** The partitions of a topic (from the server's Metadata, cached for metadata.max.age.ms). */
    List<TopicPartition> partitionsFor(String topic);

    /** Flushes and closes, waiting without bound. */
    @Override
    void close();

    /** Flushes and closes, waiting at most {@code timeout}; records still pending then fail with CLOSED. */
    void close(Duration timeout);
}
