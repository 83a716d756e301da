package dev.tributary.schema;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * A small least-recently-used map with an optional time to live. Synchronized: lookups are a hash
 * probe, far cheaper than the store read they save.
 */
final class BoundedCache<K, V> {
    private record Entry<V>(V value, long expiresAtNanos) {}

    private final int maxEntries;
    private final long ttlNanos;
    private final LongSupplier nanoClock;
    private final LinkedHashMap<K, Entry<V>> entries = new LinkedHashMap<>(16, 0.75f, true);

    /** {@code ttlNanos} 0 or less: entries do not expire; {@code maxEntries} 0: nothing is kept. */
    BoundedCache(int maxEntries, long ttlNanos, LongSupplier nanoClock) {
        this.maxEntries = Math.max(0, maxEntries);
        this.ttlNanos = ttlNanos;
        this.nanoClock = nanoClock;
    }

    synchronized V get(K key) {
        Entry<V> entry = entries.get(key);
        if (entry == null) {
            return null;
        }
        if (ttlNanos > 0 && nanoClock.getAsLong() - entry.expiresAtNanos >= 0) {
            entries.remove(key);
            return null;
        }
        return entry.value;
    }

    synchronized void put(K key, V value) {
        if (maxEntries == 0) {
            return;
        }
        entries.put(key, new Entry<>(value, ttlNanos > 0 ? nanoClock.getAsLong() + ttlNanos : 0));
        if (entries.size() > maxEntries) {
            Iterator<Map.Entry<K, Entry<V>>> eldest = entries.entrySet().iterator();
            eldest.next();
            eldest.remove();
        }
    }

    synchronized void removeIf(Predicate<K> which) {
        entries.keySet().removeIf(which);
    }

    synchronized int size() {
        return entries.size();
    }
}
