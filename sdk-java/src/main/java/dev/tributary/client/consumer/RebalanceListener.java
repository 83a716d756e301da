package dev.tributary.client.consumer;

import dev.tributary.client.TopicPartition;
import java.util.Collection;

/**
 * Told when the group moves partitions to or from this consumer. Called on the thread that calls
 * {@link Consumer#poll}, inside poll, so it may use the consumer (e.g. commit before a partition
 * goes).
 */
public interface RebalanceListener {
    /** These partitions are being taken away (still owned: committing their offsets works now). */
    void onPartitionsRevoked(Collection<TopicPartition> partitions);

    /** These partitions were given to this consumer; reading starts at the committed offsets. */
    void onPartitionsAssigned(Collection<TopicPartition> partitions);

    /**
     * These partitions were lost without a chance to commit (the session expired, the member was
     * fenced). By default treated like a revocation.
     */
    default void onPartitionsLost(Collection<TopicPartition> partitions) {
        onPartitionsRevoked(partitions);
    }
}
