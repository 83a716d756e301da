package dev.tributary.client.consumer;

import dev.tributary.client.TopicPartition;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Reads records, either as a member of a consumer group ({@link #subscribe}: the server assigns
 * partitions and moves them between members, KIP-848 style) or from partitions chosen by the
 * application ({@link #assign}: no group membership, so no commits: the group accepts offsets only
 * from its members; with {@code group.id} set, reading still starts at the group's committed offsets).
 *
 * <p>Not thread-safe, as in Kafka: one thread polls, commits and seeks; only {@link #wakeup()} may
 * be called from another thread. Group membership is kept alive by a background heartbeat.
 *
 * <p><b>Delivery.</b> Committing after processing is at-least-once (a crash between processing and
 * commit reprocesses); committing before processing is at-most-once. With {@code
 * enable.auto.commit=true} the position of the records returned by earlier polls is committed every
 * {@code auto.commit.interval.ms} during poll, and on close.
 */
public interface Consumer<K, V> extends AutoCloseable {
    /** Joins the group (config {@code group.id}) for these topics, replacing any earlier subscription. */
    void subscribe(Collection<String> topics);

    /** As {@link #subscribe(Collection)}, with a listener told about partition moves. */
    void subscribe(Collection<String> topics, RebalanceListener listener);

    /** Reads exactly these partitions, without group membership. Replaces any subscription or assignment. */
    void assign(Collection<TopicPartition> partitions);

    /** Leaves the group (or drops the manual assignment). */
    void unsubscribe();

    /** The partitions this consumer reads now. */
    Set<TopicPartition> assignment();

    /** The topics subscribed to (empty with a manual assignment). */
    Set<String> subscription();

    /**
     * Records from the assigned partitions, waiting up to {@code timeout} for some; at most {@code
     * max.poll.records}. Runs rebalance callbacks and auto-commit.
     */
    ConsumerRecords<K, V> poll(Duration timeout);

    /**
     * Commits the position of every assigned partition (the offset after the last record returned
     * by poll). Needs {@link #subscribe}: IllegalStateException with {@link #assign}.
     */
    void commitSync();

    /** Commits these offsets (the offset of the next record to read, per partition). */
    void commitSync(Map<TopicPartition, Long> offsets);

    CompletableFuture<Void> commitAsync();

    CompletableFuture<Void> commitAsync(Map<TopicPartition, Long> offsets);

    /** The group's committed offset of a partition, if any. */
    OptionalLong committed(TopicPartition partition);

    /** The offset of the next record poll returns for an assigned partition. */
    long position(TopicPartition partition);

    /** The next poll reads this partition from {@code offset}. */
    void seek(TopicPartition partition, long offset);

    /** The next poll reads these partitions from their earliest retained offset (replay). */
    void seekToBeginning(Collection<TopicPartition> partitions);

    /** The next poll reads these partitions from their end (only new records). */
    void seekToEnd(Collection<TopicPartition> partitions);

    /** The next poll reads these partitions from the first record with a timestamp at or after {@code timestampMs} (the end if none). */
    void seekToTimestamp(Collection<TopicPartition> partitions, long timestampMs);

    /** Earliest retained offset per partition. */
    Map<TopicPartition, Long> beginningOffsets(Collection<TopicPartition> partitions);

    /** End offset (high watermark) per partition. */
    Map<TopicPartition, Long> endOffsets(Collection<TopicPartition> partitions);

    /** Makes a blocked or the next {@link #poll} throw a TributaryException with code INTERRUPTED. Thread-safe. */
    void wakeup();

    /** Commits (if auto-commit), leaves the group and releases resources. */
    @Override
    void close();

    void close(Duration timeout);
}
