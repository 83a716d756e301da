package dev.tributary.server.errors;

import dev.tributary.storage.StorageException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Exceptions as gRPC statuses, with the same classification as REST. The description starts with
 * the stable error code ({@code STORAGE_TRANSACTION_TIMED_OUT: ...}); server-side details stay in
 * the log under the id the description names.
 */
public final class GrpcErrors {
    private static final Logger LOG = Logger.getLogger(GrpcErrors.class);

    private GrpcErrors() {}

    public static StatusRuntimeException toStatusException(Throwable e) {
        if (e instanceof StatusRuntimeException sre) {
            return sre;
        }
        StorageException se = StorageException.unwrap(e);
        if (se != null) {
            StorageErrors.Classification c = StorageErrors.classify(se.code());
            String code = StorageErrors.publicCode(se.code());
            if (c.clientFault()) {
                return Status.fromCode(c.grpcStatus()).withDescription(code + ": " + se.getMessage()).asRuntimeException();
            }
            String id = UUID.randomUUID().toString();
            LOG.errorf(e, "Storage failure %s answered with gRPC %s", id, c.grpcStatus());
            return Status.fromCode(c.grpcStatus())
                    .withDescription(code + ": the store could not complete the request (error id " + id + ")")
                    .asRuntimeException();
        }
        String id = UUID.randomUUID().toString();
        LOG.errorf(e, "Unexpected error %s answered with gRPC INTERNAL", id);
        return Status.INTERNAL.withDescription("INTERNAL: the server could not complete the request (error id " + id + ")")
                .asRuntimeException();
    }
}
