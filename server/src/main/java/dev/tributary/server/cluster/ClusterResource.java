package dev.tributary.server.cluster;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** REST view of {@code tributary.v1.ClusterService/GetClusterInfo}, for curl and browsers. */
@Path("/v1/cluster")
public class ClusterResource {
    private final ClusterInfoService clusterInfo;

    ClusterResource(ClusterInfoService clusterInfo) {
        this.clusterInfo = clusterInfo;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public ClusterInfo get() {
        return clusterInfo.describe(); // blocking signature: Quarkus REST runs it on a worker thread
    }
}
