package dev.tributary.client.internal.producer;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Where records without key and without explicit partition go: one partition per topic at a time
 * (the sticky partition), changed when its batch is closed or sent. Records sent close together
 * then fill one batch instead of scattering into one tiny batch per partition, while the topic's
 * partitions still get the records evenly over time.
 *
 * <p>The switch happens when an append to the sticky partition would have to open a new batch
 * (the previous one was sent or is full): the producer then asks for {@link #next} and appends
 * there instead.
 */
final class StickyPartitions {
    private final ConcurrentMap<String, Integer> current = new ConcurrentHashMap<>();

    /** The topic's sticky partition now (choosing one on first use or when the partition count shrank). */
    int partition(String topic, int partitions) {
        Integer p = current.get(topic);
        if (p != null && p < partitions) {
            return p;
        }
        return next(topic, partitions, -1);
    }

    /**
     * Moves the topic away from {@code previous} to another partition chosen at random, unless
     * another thread already moved it (then its choice stands); returns the new sticky partition.
     */
    int next(String topic, int partitions, int previous) {
        return current.compute(topic, (t, p) -> {
            if (p != null && p != previous && p < partitions) {
                return p;
            }
            if (partitions == 1) {
                return 0;
            }
            ThreadLocalRandom random = ThreadLocalRandom.current();
            if (previous < 0 || previous >= partitions) {
                return random.nextInt(partitions);
            }
            // Any partition but the previous one, uniformly.
            int chosen = random.nextInt(partitions - 1);
            return chosen >= previous ? chosen + 1 : chosen;
        });
    }
}
