package dev.tributary.dataplane.quarkus;

import dev.tributary.dataplane.DataPlane;
import io.grpc.BindableService;
import io.grpc.ServerServiceDefinition;
import io.quarkus.grpc.GrpcService;

/** Serves the data plane's {@code tributary.v1.GroupService} on the server's shared TLS listener. */
@GrpcService
public class GroupServiceBinding implements BindableService {
    private final DataPlane dataPlane;

    GroupServiceBinding(DataPlane dataPlane) {
        this.dataPlane = dataPlane;
    }

    @Override
    public ServerServiceDefinition bindService() {
        return dataPlane.groupService().bindService();
    }
}
