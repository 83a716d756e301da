package dev.tributary.server.cluster;

import dev.tributary.storage.KeyValueStore;
import dev.tributary.storage.ReadTransaction;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Builds {@link ClusterInfo}; shared by the gRPC service and the REST resource. */
@Singleton
public class ClusterInfoService {
    private final KeyValueStore store;
    private final NodeIdentity node;
    private final String serverVersion;

    ClusterInfoService(KeyValueStore store, NodeIdentity node,
            @ConfigProperty(name = "quarkus.application.version") String serverVersion) {
        this.store = store;
        this.node = node;
        this.serverVersion = serverVersion;
    }

    /** Reads the store (blocking): callers run on a worker thread. */
    public ClusterInfo describe() {
        long readVersion = store.read(ReadTransaction::getReadVersion);
        return new ClusterInfo(serverVersion, store.backendName(), node.nodeId(), node.startTime(), readVersion);
    }
}
