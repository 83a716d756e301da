package dev.tributary.dataplane;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** {@code tributary.data-plane.*}; documented in docs/configuration.md. */
@ConfigMapping(prefix = "tributary.data-plane")
public interface DataPlaneConfig {
    /**
     * Threads that run storage work of the data plane (appends, fetches, offsets). Each partition
     * with pending produce requests occupies one of them for the duration of one commit, so this
     * bounds how many partitions commit in parallel.
     */
    @WithDefault("16")
    int storageThreads();

    Fetch fetch();

    Groups groups();

    Ownership ownership();

    Retention retention();

    interface Fetch {
        /** Upper bound on a fetch's max_wait_ms, and how long a subscription waits for data before it looks again. */
        @WithDefault("30s")
        Duration maxWait();
    }

    interface Groups {
        /**
         * How often members are told to heartbeat. Well below the session timeouts (default 45 s)
         * so that a few lost heartbeats do not expire a member, and short enough that a revoked
         * partition is handed over quickly (each handover takes about one interval).
         */
        @WithDefault("5s")
        Duration heartbeatInterval();
    }

    interface Ownership {
        /**
         * The lease of this node's partition ownership. The node renews it (heartbeat and one
         * balancing round) every third of it; if another node sees no renewal for a whole lease,
         * it may take this node's partitions over. Shorter moves partitions of a dead node sooner,
         * longer tolerates longer store stalls.
         */
        @WithDefault("10s")
        Duration lease();
    }

    interface Retention {
        /**
         * How often this node applies retention.ms / retention.bytes to the partitions it owns.
         * Data may outlive its retention by up to this much.
         */
        @WithDefault("30s")
        Duration checkInterval();
    }
}
