package dev.tributary.controlplane.quota;

import dev.tributary.quota.QuotaEnforcer;
import dev.tributary.quota.QuotaException;
import dev.tributary.quota.QuotaLimit;
import dev.tributary.quota.QuotaStore;
import dev.tributary.quota.TenantQuota;
import dev.tributary.storage.KeyValueStore;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.EnumMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The quota layer of core as beans: the one {@link QuotaStore} of the application (its cache of
 * limits is shared by the REST API, the topic layer's count checks and the data plane, so a change
 * made here applies here at once). The data plane's {@link QuotaEnforcer} is built with the data
 * plane (one per pod) and exposed by it.
 */
@Singleton
public class QuotaBeans {
    @Produces
    @Singleton
    QuotaStore quotaStore(KeyValueStore store, QuotaConfig config) {
        return new QuotaStore(store, defaults(config), config.cacheInterval(), System::nanoTime);
    }

    /** The per-pod enforcement settings from {@code tributary.quota.*}. */
    public static QuotaEnforcer.Settings settings(QuotaConfig config) {
        try {
            return new QuotaEnforcer.Settings(config.burst(), config.meterWindow(), config.storageRefreshInterval());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("tributary.quota.burst, meter-window and storage-refresh-interval: " + e.getMessage(), e);
        }
    }

    /** {@code tributary.quota.defaults.*} as limits; an invalid value stops the server naming its key. */
    public static TenantQuota defaults(QuotaConfig config) {
        QuotaConfig.Defaults d = config.defaults();
        Map<QuotaLimit, OptionalLong> configured = Map.of(
                QuotaLimit.PRODUCE_BYTES_PER_SECOND, d.produceBytesPerSecond(),
                QuotaLimit.FETCH_BYTES_PER_SECOND, d.fetchBytesPerSecond(),
                QuotaLimit.REQUESTS_PER_SECOND, d.requestsPerSecond(),
                QuotaLimit.STORAGE_BYTES, d.storageBytes(),
                QuotaLimit.TOPICS, d.topics(),
                QuotaLimit.PARTITIONS, d.partitions(),
                QuotaLimit.CONNECTIONS, d.connections());
        Map<QuotaLimit, Long> limits = new EnumMap<>(QuotaLimit.class);
        for (Map.Entry<QuotaLimit, OptionalLong> e : configured.entrySet()) {
            if (e.getValue().isPresent()) {
                try {
                    e.getKey().validate(e.getValue().getAsLong());
                } catch (QuotaException invalid) {
                    throw new IllegalArgumentException("tributary.quota.defaults." + e.getKey().configName() + ": "
                            + invalid.detail(), invalid);
                }
                limits.put(e.getKey(), e.getValue().getAsLong());
            }
        }
        return TenantQuota.of(limits);
    }
}
