package dev.tributary.client.consumer;

import dev.tributary.client.TopicPartition;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** What one {@link Consumer#poll} returned, grouped by partition, each partition's records in offset order. */
public final class ConsumerRecords<K, V> implements Iterable<ConsumerRecord<K, V>> {
    private static final ConsumerRecords<?, ?> EMPTY = new ConsumerRecords<>(Map.of());

    private final Map<TopicPartition, List<ConsumerRecord<K, V>>> records;

    public ConsumerRecords(Map<TopicPartition, List<ConsumerRecord<K, V>>> records) {
        Map<TopicPartition, List<ConsumerRecord<K, V>>> copy = new LinkedHashMap<>();
        records.forEach((tp, list) -> {
            if (!list.isEmpty()) {
                copy.put(tp, List.copyOf(list));
            }
        });
        this.records = Collections.unmodifiableMap(copy);
    }

    @SuppressWarnings("unchecked")
    public static <K, V> ConsumerRecords<K, V> empty() {
        return (ConsumerRecords<K, V>) EMPTY;
    }

    public Set<TopicPartition> partitions() {
        return records.keySet();
    }

    public List<ConsumerRecord<K, V>> records(TopicPartition partition) {
        return records.getOrDefault(partition, List.of());
    }

    public int count() {
        int n = 0;
        for (List<ConsumerRecord<K, V>> list : records.values()) {
            n += list.size();
        }
        return n;
    }

    public boolean isEmpty() {
        return records.isEmpty();
    }

    @Override
    public Iterator<ConsumerRecord<K, V>> iterator() {
        List<ConsumerRecord<K, V>> all = new ArrayList<>(count());
        records.values().forEach(all::addAll);
        return Collections.unmodifiableList(all).iterator();
    }
}
