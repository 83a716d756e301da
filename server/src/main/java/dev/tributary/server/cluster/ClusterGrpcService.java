package dev.tributary.server.cluster;

import com.google.protobuf.Timestamp;
import dev.tributary.api.v1.ClusterServiceGrpc;
import dev.tributary.api.v1.GetClusterInfoRequest;
import dev.tributary.api.v1.GetClusterInfoResponse;
import dev.tributary.server.errors.GrpcErrors;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;

/** {@code tributary.v1.ClusterService}. */
@GrpcService
public class ClusterGrpcService extends ClusterServiceGrpc.ClusterServiceImplBase {
    private final ClusterInfoService clusterInfo;

    ClusterGrpcService(ClusterInfoService clusterInfo) {
        this.clusterInfo = clusterInfo;
    }

    @Override
    @Blocking // a store read may wait on the network (FoundationDB): never on the event loop
    public void getClusterInfo(GetClusterInfoRequest request, StreamObserver<GetClusterInfoResponse> response) {
        ClusterInfo info;
        try {
            info = clusterInfo.describe();
        } catch (RuntimeException e) {
            response.onError(GrpcErrors.toStatusException(e));
            return;
        }
        response.onNext(GetClusterInfoResponse.newBuilder()
                .setServerVersion(info.serverVersion())
                .setStorageBackend(info.storageBackend())
                .setNodeId(info.nodeId())
                .setStartTime(Timestamp.newBuilder()
                        .setSeconds(info.startTime().getEpochSecond())
                        .setNanos(info.startTime().getNano()))
                .setStoreReadVersion(info.storeReadVersion())
                .build());
        response.onCompleted();
    }
}
