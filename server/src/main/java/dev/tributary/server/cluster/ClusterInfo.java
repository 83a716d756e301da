package dev.tributary.server.cluster;

import java.time.Instant;

/**
 * What {@code GetClusterInfo} and {@code GET /v1/cluster} report; the field meanings are those
 * of {@code tributary.v1.GetClusterInfoResponse}.
 */
public record ClusterInfo(String serverVersion, String storageBackend, String nodeId, Instant startTime, long storeReadVersion) {}
