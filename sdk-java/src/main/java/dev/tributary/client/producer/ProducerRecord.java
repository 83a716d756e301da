package dev.tributary.client.producer;

import dev.tributary.client.Header;
import java.util.List;
import java.util.Objects;

/**
 * A record to send.
 *
 * @param topic topic name in the caller's tenant
 * @param partition explicit partition, or null to let the producer choose (hash of the key when
 *     there is one, otherwise spread: sticky per batch)
 * @param timestamp create time in epoch milliseconds, or null for the time of {@code send}
 * @param key the key (may be null)
 * @param value the value (null: a tombstone on compacted topics)
 * @param headers headers, in order
 */
public record ProducerRecord<K, V>(String topic, Integer partition, Long timestamp, K key, V value, List<Header> headers) {
    public ProducerRecord {
        Objects.requireNonNull(topic, "topic");
        if (partition != null && partition < 0) {
            throw new IllegalArgumentException("partition must be >= 0, not " + partition);
        }
        headers = headers == null ? List.of() : List.copyOf(headers);
    }

    public ProducerRecord(String topic, K key, V value) {
        this(topic, null, null, key, value, List.of());
    }

    public ProducerRecord(String topic, V value) {
        this(topic, null, null, null, value, List.of());
    }

    public ProducerRecord(String topic, Integer partition, K key, V value) {
        this(topic, partition, null, key, value, List.of());
    }
}
