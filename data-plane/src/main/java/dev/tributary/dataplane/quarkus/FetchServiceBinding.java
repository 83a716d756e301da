package dev.tributary.dataplane.quarkus;

import dev.tributary.dataplane.DataPlane;
import io.grpc.BindableService;
import io.grpc.ServerServiceDefinition;
import io.quarkus.grpc.GrpcService;

/** Serves the data plane's {@code tributary.v1.FetchService} on the server's shared TLS listener. */
@GrpcService
public class FetchServiceBinding implements BindableService {
    private final DataPlane dataPlane;

    FetchServiceBinding(DataPlane dataPlane) {
        this.dataPlane = dataPlane;
    }

    @Override
    public ServerServiceDefinition bindService() {
        return dataPlane.fetchService().bindService();
    }
}
