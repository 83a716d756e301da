package dev.tributary.dataplane.quota;

import dev.tributary.quota.QuotaEnforcer;
import dev.tributary.quota.QuotaErrorCode;
import dev.tributary.quota.QuotaLimit;
import dev.tributary.quota.QuotaStore;
import dev.tributary.quota.TenantQuota;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.function.ToDoubleFunction;

/**
 * Quota metrics of one pod, per tenant (Prometheus names after Micrometer's conversion):
 *
 * <pre>
 * tributary_quota_throttled_total{tenant, kind}           requests refused, and subscription reads delayed, by a rate
 *                                                         quota; kind = produce-bytes | fetch-bytes | requests
 * tributary_quota_throttle_delay_seconds{tenant, kind}    the delays given (count, sum, max)
 * tributary_quota_rejected_total{tenant, quota}           produce refused by the storage quota (quota=storage-bytes),
 *                                                         streams refused by the connection quota (quota=connections)
 * tributary_quota_usage{tenant, quota}                    this pod's measured produce-bytes-per-second,
 *                                                         fetch-bytes-per-second, requests-per-second, its open
 *                                                         streams (connections) and the storage estimate (storage-bytes)
 * tributary_quota_limit{tenant, quota}                    the tenant's limits as this pod last read them (NaN: unlimited)
 * </pre>
 *
 * Gauges are registered the first time the pod serves a tenant; they read what the enforcer
 * already holds and never touch the store.
 */
public final class QuotaMetrics implements QuotaEnforcer.Listener {
    private final MeterRegistry registry;

    public QuotaMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void throttled(String tenant, QuotaEnforcer.Rate rate, long delayNanos) {
        Counter.builder("tributary.quota.throttled").description("Requests refused or deliveries delayed by a rate quota")
                .tags("tenant", tenant, "kind", rate.label()).register(registry).increment();
        Timer.builder("tributary.quota.throttle.delay").description("Delays given by rate quotas")
                .tags("tenant", tenant, "kind", rate.label()).register(registry).record(Duration.ofNanos(delayNanos));
    }

    @Override
    public void refused(String tenant, QuotaErrorCode code) {
        String quota = code == QuotaErrorCode.STORAGE_QUOTA_EXCEEDED ? QuotaLimit.STORAGE_BYTES.configName()
                : code == QuotaErrorCode.CONNECTION_QUOTA_EXCEEDED ? QuotaLimit.CONNECTIONS.configName() : code.name();
        Counter.builder("tributary.quota.rejected").description("Requests refused by a storage or connection quota")
                .tags("tenant", tenant, "quota", quota).register(registry).increment();
    }

    @Override
    public void tenantSeen(QuotaEnforcer enforcer, String tenant) {
        usage(enforcer, tenant, QuotaLimit.PRODUCE_BYTES_PER_SECOND, QuotaEnforcer.Usage::produceBytesPerSecond);
        usage(enforcer, tenant, QuotaLimit.FETCH_BYTES_PER_SECOND, QuotaEnforcer.Usage::fetchBytesPerSecond);
        usage(enforcer, tenant, QuotaLimit.REQUESTS_PER_SECOND, QuotaEnforcer.Usage::requestsPerSecond);
        usage(enforcer, tenant, QuotaLimit.CONNECTIONS, QuotaEnforcer.Usage::connections);
        usage(enforcer, tenant, QuotaLimit.STORAGE_BYTES, QuotaEnforcer.Usage::storageBytes);
        QuotaStore limits = enforcer.limits();
        for (QuotaLimit limit : QuotaLimit.values()) {
            Gauge.builder("tributary.quota.limit", limits, store -> {
                TenantQuota quota = store.cachedLimits(tenant);
                Long value = quota == null ? null : quota.get(limit);
                return value == null ? Double.NaN : value;
            }).description("The tenant's quota limits as this node last read them (NaN: unlimited)")
                    .tags("tenant", tenant, "quota", limit.configName()).strongReference(true).register(registry);
        }
    }

    private void usage(QuotaEnforcer enforcer, String tenant, QuotaLimit limit, ToDoubleFunction<QuotaEnforcer.Usage> value) {
        Gauge.builder("tributary.quota.usage", enforcer, e -> value.applyAsDouble(e.usage(tenant)))
                .description("The tenant's use of its quota on this node")
                .tags("tenant", tenant, "quota", limit.configName()).strongReference(true).register(registry);
    }
}
