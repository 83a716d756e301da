package dev.tributary.server.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** Every {@code tributary.*} setting of the server; documented in docs/configuration.md. */
@ConfigMapping(prefix = "tributary")
public interface TributaryConfig {

    /**
     * Holds the embedded store ({@code store/}), the development TLS files ({@code tls/}), the
     * node id and {@code client.properties}. Read before Quarkus starts, so only a system property
     * or the {@code TRIBUTARY_DATA_DIR} environment variable can set it.
     */
    @WithDefault("./data")
    Path dataDir();

    /** Stable id of this node; generated on first start and kept in {@code DATA_DIR/node-id} when unset. */
    Optional<String> nodeId();

    Listen listen();

    Storage storage();

    Health health();

    /** The single TLS listener that serves REST and gRPC. */
    interface Listen {
        /**
         * Interface to bind. Loopback by default: there is no authentication yet, so the server
         * must not be reachable from other machines unless the operator says so (e.g. 0.0.0.0).
         */
        @WithDefault("localhost")
        String host();

        @WithDefault("9443")
        int port();
    }

    interface Storage {
        @WithDefault("embedded")
        Backend backend();

        Embedded embedded();

        @WithName("foundationdb")
        FoundationDb foundationDb();

        enum Backend {
            EMBEDDED,
            FOUNDATIONDB;

            /** The name used in configuration and by {@link dev.tributary.storage.StoreConfig}. */
            public String configName() {
                return name().toLowerCase(java.util.Locale.ROOT);
            }
        }

        interface Embedded {
            /**
             * Fsync the write-ahead log before acknowledging a commit. Off keeps commits safe from a
             * process crash but not from power loss.
             */
            @WithDefault("true")
            boolean syncCommits();
        }

        interface FoundationDb {
            /** Cluster file; the client library's default ({@code FDB_CLUSTER_FILE}, /etc/foundationdb/fdb.cluster) when unset. */
            Optional<String> clusterFile();
        }
    }

    interface Health {
        /** How long the readiness check waits for its store read before it reports DOWN. */
        @WithDefault("2s")
        Duration storageTimeout();
    }
}
