package dev.tributary.client.internal.consumer;

import dev.tributary.client.TopicPartition;
import dev.tributary.client.TributaryException;

/**
 * What the consumer knows about one partition it reads: its position (the offset of the next
 * record poll returns), how that position is still to be found, the records fetched but not yet
 * returned, and the calls in flight for it. Used by the application thread only.
 */
final class PartitionState {
    /** How the position is still to be determined; {@link #NONE}: it is known. */
    enum Pending {
        NONE,
        /** The group's committed offset, else auto.offset.reset. */
        COMMITTED,
        EARLIEST,
        LATEST,
        /** The first offset with a timestamp at or after {@link #resetTimestampMs}. */
        TIMESTAMP,
        /** A fetch said the position is out of range: read the valid range, then apply auto.offset.reset. */
        VALIDATE,
        /** No position can be found without the application's help (auto.offset.reset=none): {@link #failure}. */
        FAILED
    }

    final TopicPartition partition;
    /** The topic's id as the group assigned it; null for a manually assigned partition. */
    final String topicId;

    long position = -1;
    Pending pending;
    long resetTimestampMs;
    TributaryException failure;

    /** Fetched records not yet returned by poll; null when there are none. */
    FetchedRecords buffered;
    /** The fetch in flight for this partition; its answer counts only while this still names it. */
    Object fetchInFlight;
    /** The offset lookup in flight for this partition; likewise. */
    Object lookupInFlight;
    /** No fetch or lookup before this System.nanoTime() (backoff after a retriable failure). */
    long retryAtNanos;
    int failures;

    PartitionState(TopicPartition partition, String topicId, Pending pending) {
        this.partition = partition;
        this.topicId = topicId;
        this.pending = pending;
    }

    /** Whether a fetch may be sent for it now. */
    boolean fetchable(long nowNanos) {
        return pending == Pending.NONE && position >= 0 && buffered == null && fetchInFlight == null
                && nowNanos - retryAtNanos >= 0;
    }

    /** Whether its position is to be looked up and no lookup is in flight. */
    boolean needsLookup(long nowNanos) {
        return pending != Pending.NONE && pending != Pending.FAILED && lookupInFlight == null && nowNanos - retryAtNanos >= 0;
    }

    /** Forgets fetched records and the calls in flight (their answers are for an earlier position). */
    void resetFetchState() {
        buffered = null;
        fetchInFlight = null;
        lookupInFlight = null;
        retryAtNanos = 0;
        failures = 0;
        failure = null;
    }
}
