package dev.tributary.dataplane.node;

/**
 * The node this data plane runs on, as Metadata reports it. Until partition ownership exists every
 * partition is served by the node that answers. The server application provides the bean.
 */
public interface LocalNode {
    /** Stable node id (as ClusterService.GetClusterInfo reports it). */
    String nodeId();

    /** Where clients connect: {@code https://host:port}. */
    String endpoint();
}
