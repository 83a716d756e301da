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

    Compaction compaction();

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

    interface Compaction {
        /**
         * How often this node compacts the partitions it owns of topics with cleanup.policy=compact.
         * Superseded records and due tombstones may outlive their time by up to this much.
         */
        @WithDefault("30s")
        Duration checkInterval();

        /**
         * Keys one compaction pass maps in memory (24 bytes per slot, 12 MiB for the default);
         * a partition with more distinct keys in its new data is compacted in several passes.
         */
        @WithDefault("250000")
        int maxMapEntries();

        /**
         * Compact a partition only once the data added since its last compaction is at least this
         * share (0 to 1) of its stored bytes: each pass reads the whole partition again. Due
         * tombstones are removed regardless.
         */
        @WithDefault("0.5")
        double minDirtyRatio();
    }
}
