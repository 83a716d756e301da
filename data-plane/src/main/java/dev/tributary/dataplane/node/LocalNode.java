package dev.tributary.dataplane.node;

/**
 * The node a data plane runs on: its pod id in partition ownership and where clients reach it, as
 * Metadata and NOT_OWNER redirects report it. The server application provides it as a bean (node
 * id and the shared listener's endpoint); a DataPlaneListener provides its own.
 */
public interface LocalNode {
    /** Stable node id (as ClusterService.GetClusterInfo reports it). */
    String nodeId();

    /** Where clients connect: {@code https://host:port}; may fail until the listener is bound. */
    String endpoint();
}
