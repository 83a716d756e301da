package dev.tributary.dataplane.quota;

import dev.tributary.quota.QuotaEnforcer;
import dev.tributary.quota.QuotaStore;
import dev.tributary.quota.TenantQuota;
import dev.tributary.storage.KeyValueStore;

/**
 * What a data plane needs to enforce quotas: where the tenants' limits are read (in the server,
 * the application's one {@link QuotaStore}, whose defaults come from {@code tributary.quota.defaults.*}),
 * the per-pod settings ({@code tributary.quota.burst}, ...), and where refusals are reported
 * (metrics). Each data plane builds its own {@link QuotaEnforcer} from it: rate and stream quotas
 * are per pod.
 */
public record QuotaSetup(QuotaStore limits, QuotaEnforcer.Settings settings, QuotaEnforcer.Listener listener) {
    /**
     * For a pod without configuration of its own (a DataPlaneListener): the tenants' stored limits
     * apply, tenants without any are unlimited, default settings, no metrics.
     */
    public static QuotaSetup storedLimitsOnly(KeyValueStore store) {
        return new QuotaSetup(new QuotaStore(store, TenantQuota.UNLIMITED), QuotaEnforcer.Settings.DEFAULT,
                QuotaEnforcer.Listener.NONE);
    }
}
