package dev.tributary.controlplane.quota;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.OptionalLong;

/** {@code tributary.quota.*}; documented in docs/configuration.md. */
@ConfigMapping(prefix = "tributary.quota")
public interface QuotaConfig {
    /**
     * {@code tributary.quota.defaults.*}: the limits of every tenant that has none of its own (set
     * with {@code PUT /v1/tenants/{t}/quota}); each unlimited unless set.
     */
    Defaults defaults();

    /** How much time's worth of each rate quota a tenant may use at once (the budget when full). */
    @WithDefault("1s")
    Duration burst();

    /** Time constant of the measured rates reported as usage and metrics (exponentially weighted). */
    @WithDefault("5s")
    Duration meterWindow();

    /**
     * How old a tenant's storage sum (over its partitions' byte counters) may get before a node sums
     * it again, in the background; what the node accepts meanwhile is added to it.
     */
    @WithDefault("10s")
    Duration storageRefreshInterval();

    /** How long a node trusts a tenant's limits as read; a change through another node applies here within this. */
    @WithDefault("5s")
    Duration cacheInterval();

    interface Defaults {
        OptionalLong produceBytesPerSecond();

        OptionalLong fetchBytesPerSecond();

        OptionalLong requestsPerSecond();

        OptionalLong storageBytes();

        OptionalLong topics();

        OptionalLong partitions();

        OptionalLong connections();
    }
}
