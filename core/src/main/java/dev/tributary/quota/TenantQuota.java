package dev.tributary.quota;

import com.apple.foundationdb.tuple.Tuple;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * A tenant's limits; null means unlimited. Every instance is valid ({@link QuotaLimit#validate}):
 * the constructor refuses anything else with INVALID_QUOTA naming the limit and its range.
 *
 * @param produceBytesPerSecond bytes of record batches produced per second, per data-plane pod
 * @param fetchBytesPerSecond bytes of record batches fetched or delivered per second, per pod
 * @param requestsPerSecond data-plane calls per second (produce, fetch, list offsets, metadata,
 *     consumer-group calls), per pod
 * @param storageBytes bytes stored over all the tenant's partitions (the sum of their retained-byte counters)
 * @param topics topics in the tenant
 * @param partitions partitions over all the tenant's topics
 * @param connections concurrent Subscribe streams of the tenant, per pod
 */
public record TenantQuota(Long produceBytesPerSecond, Long fetchBytesPerSecond, Long requestsPerSecond, Long storageBytes,
        Long topics, Long partitions, Long connections) {
    /** No limit at all. */
    public static final TenantQuota UNLIMITED = new TenantQuota(null, null, null, null, null, null, null);

    private static final long FORMAT = 1;

    public TenantQuota {
        QuotaLimit.PRODUCE_BYTES_PER_SECOND.validate(produceBytesPerSecond);
        QuotaLimit.FETCH_BYTES_PER_SECOND.validate(fetchBytesPerSecond);
        QuotaLimit.REQUESTS_PER_SECOND.validate(requestsPerSecond);
        QuotaLimit.STORAGE_BYTES.validate(storageBytes);
        QuotaLimit.TOPICS.validate(topics);
        QuotaLimit.PARTITIONS.validate(partitions);
        QuotaLimit.CONNECTIONS.validate(connections);
    }

    /** The quota with the given limits; limits absent from {@code limits} are unlimited. */
    public static TenantQuota of(Map<QuotaLimit, Long> limits) {
        return new TenantQuota(limits.get(QuotaLimit.PRODUCE_BYTES_PER_SECOND), limits.get(QuotaLimit.FETCH_BYTES_PER_SECOND),
                limits.get(QuotaLimit.REQUESTS_PER_SECOND), limits.get(QuotaLimit.STORAGE_BYTES), limits.get(QuotaLimit.TOPICS),
                limits.get(QuotaLimit.PARTITIONS), limits.get(QuotaLimit.CONNECTIONS));
    }

    /** One limit; null = unlimited. */
    public Long get(QuotaLimit limit) {
        return switch (limit) {
            case PRODUCE_BYTES_PER_SECOND -> produceBytesPerSecond;
            case FETCH_BYTES_PER_SECOND -> fetchBytesPerSecond;
            case REQUESTS_PER_SECOND -> requestsPerSecond;
            case STORAGE_BYTES -> storageBytes;
            case TOPICS -> topics;
            case PARTITIONS -> partitions;
            case CONNECTIONS -> connections;
        };
    }

    /** The limits in declaration order of {@link QuotaLimit}; unlimited ones map to null. */
    public Map<QuotaLimit, Long> asMap() {
        Map<QuotaLimit, Long> out = new EnumMap<>(QuotaLimit.class);
        for (QuotaLimit l : QuotaLimit.values()) {
            out.put(l, get(l));
        }
        return out;
    }

    /** The stored value: tuple {@code (1, produce, fetch, requests, storage, topics, partitions, connections)}, null = unlimited. */
    public byte[] encode() {
        List<Object> items = new ArrayList<>(8);
        items.add(FORMAT);
        for (QuotaLimit l : QuotaLimit.values()) {
            items.add(get(l));
        }
        return Tuple.fromList(items).pack();
    }

    public static TenantQuota decode(byte[] value) {
        Tuple t = Tuple.fromBytes(value);
        long format = t.getLong(0);
        if (format != FORMAT) {
            throw new IllegalStateException("quota of format " + format + " (this version reads " + FORMAT + ")");
        }
        Map<QuotaLimit, Long> limits = new EnumMap<>(QuotaLimit.class);
        QuotaLimit[] all = QuotaLimit.values();
        for (int i = 0; i < all.length; i++) {
            Object v = t.get(i + 1);
            limits.put(all[i], v == null ? null : ((Number) v).longValue());
        }
        return of(limits);
    }
}
