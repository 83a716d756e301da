package dev.tributary.dataplane.errors;

import com.google.protobuf.Any;
import com.google.rpc.ErrorInfo;
import dev.tributary.controlplane.problem.ErrorCodes;
import dev.tributary.controlplane.problem.ProblemException;
import dev.tributary.controlplane.security.AuthenticationGate;
import dev.tributary.group.GroupErrorCode;
import dev.tributary.group.GroupException;
import dev.tributary.log.LogErrorCode;
import dev.tributary.log.LogException;
import dev.tributary.ownership.OwnershipException;
import dev.tributary.ownership.PartitionOwner;
import dev.tributary.ownership.PartitionRef;
import dev.tributary.record.InvalidRecordBatchException;
import dev.tributary.storage.StorageErrorCode;
import dev.tributary.storage.StorageException;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import org.jboss.logging.Logger;

/**
 * Exceptions as gRPC statuses with a stable code, in three places so every client finds it: the
 * description ({@code CODE: detail}), a {@code google.rpc.ErrorInfo} in the status details
 * (reason = code, domain {@value #DOMAIN}), and the {@value AuthenticationGate#GRPC_ERROR_CODE_HEADER}
 * trailer, as authentication failures carry it. Server-side failures keep their details in the log
 * under an error id.
 */
public final class DataPlaneErrors {
    public static final String DOMAIN = "tributary.dev";
    public static final Metadata.Key<String> ERROR_CODE_KEY =
            Metadata.Key.of(AuthenticationGate.GRPC_ERROR_CODE_HEADER, Metadata.ASCII_STRING_MARSHALLER);
    private static final Logger LOG = Logger.getLogger(DataPlaneErrors.class);

    private DataPlaneErrors() {}

    public static Status.Code statusOf(LogErrorCode code) {
        return switch (code) {
            case UNKNOWN_TOPIC, UNKNOWN_PARTITION -> Status.Code.NOT_FOUND;
            case OFFSET_OUT_OF_RANGE -> Status.Code.OUT_OF_RANGE;
            case TOPIC_ALREADY_EXISTS -> Status.Code.ALREADY_EXISTS;
            case FENCED_LEADER_EPOCH, UNKNOWN_LEADER_EPOCH -> Status.Code.FAILED_PRECONDITION;
            case RECORD_TOO_LARGE, INVALID_BATCH, INVALID_TOPIC_NAME, INVALID_PARTITIONS, INVALID_CONFIG, INVALID_REQUEST ->
                    Status.Code.INVALID_ARGUMENT;
        };
    }

    public static Status.Code statusOf(GroupErrorCode code) {
        return switch (code) {
            case UNKNOWN_GROUP, UNKNOWN_TOPIC_OR_PARTITION -> Status.Code.NOT_FOUND;
            // The client must act first (rejoin, heartbeat, give the partition up, stop the members).
            case UNKNOWN_MEMBER_ID, STALE_MEMBER_EPOCH, FENCED_MEMBER_EPOCH, NOT_ASSIGNED, GROUP_NOT_EMPTY ->
                    Status.Code.FAILED_PRECONDITION;
            case INVALID_OFFSET, INVALID_REQUEST -> Status.Code.INVALID_ARGUMENT;
            case GROUP_TOO_LARGE -> Status.Code.RESOURCE_EXHAUSTED;
        };
    }

    /** The stable code of a produce sent to a node that does not own the partition. */
    public static final String NOT_OWNER = "NOT_OWNER";

    /**
     * An ownership refusal for a partition. Owned by another pod: NOT_OWNER, FAILED_PRECONDITION,
     * with {@code owner_node_id} and {@code owner_endpoint} in the ErrorInfo so the client sends
     * there instead (both empty if the owner is not known: look it up with Metadata). This pod's
     * lease lapsed or it is not registered: UNAVAILABLE, since retrying shortly (here or elsewhere)
     * is the remedy. The partition vanished: UNKNOWN_PARTITION as the log reports it.
     */
    public static StatusRuntimeException ownership(OwnershipException e, PartitionRef partition, PartitionOwner owner) {
        Map<String, String> metadata = new HashMap<>();
        metadata.put("partition", Integer.toString(partition.partition()));
        String detail = e.getMessage().substring(e.code().name().length() + 2);
        return switch (e.code()) {
            case PARTITION_OWNED, NOT_OWNER -> {
                metadata.put("owner_node_id", owner == null ? "" : owner.podId());
                metadata.put("owner_endpoint", owner == null ? "" : owner.endpoint());
                yield status(Status.Code.FAILED_PRECONDITION, NOT_OWNER, "partition " + partition.partition()
                        + " is owned by " + (owner == null ? "another node" : "node '" + owner.podId() + "' at " + owner.endpoint()),
                        metadata);
            }
            case POD_NOT_REGISTERED, LEASE_EXPIRED -> status(Status.Code.UNAVAILABLE, e.code().name(),
                    "this node cannot serve partition " + partition.partition() + " now: " + detail, metadata);
            case UNKNOWN_PARTITION -> status(Status.Code.NOT_FOUND, LogErrorCode.UNKNOWN_PARTITION.name(), detail, metadata);
            case INVALID_REQUEST -> toStatusException(new IllegalStateException(e.getMessage(), e));
        };
    }

    public static StatusRuntimeException ownership(OwnershipException e, PartitionRef partition) {
        return ownership(e, partition, null);
    }

    /** A client error raised by the data plane itself (request shape). */
    public static StatusRuntimeException invalidRequest(String detail) {
        return status(Status.Code.INVALID_ARGUMENT, LogErrorCode.INVALID_REQUEST.name(), detail, Map.of());
    }

    public static StatusRuntimeException forbidden(String detail) {
        return status(Status.Code.PERMISSION_DENIED, ErrorCodes.FORBIDDEN, detail, Map.of());
    }

    public static StatusRuntimeException toStatusException(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof StatusRuntimeException sre) {
                return sre;
            }
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof GroupException ge) {
                String message = ge.getMessage();
                String prefix = ge.code().name() + ": ";
                return status(statusOf(ge.code()), ge.code().name(),
                        message.startsWith(prefix) ? message.substring(prefix.length()) : message, Map.of());
            }
        }
        LogException le = LogException.unwrap(e);
        if (le != null) {
            InvalidRecordBatchException.Reason reason = le.batchReason();
            Map<String, String> metadata = reason == null ? Map.of() : Map.of("batch_reason", reason.name());
            // LogException.getMessage() already starts with the code.
            return status(statusOf(le.code()), le.code().name(), stripCode(le), metadata);
        }
        if (e instanceof ProblemException pe) {
            Status.Code code = pe.status() == 403 ? Status.Code.PERMISSION_DENIED
                    : pe.status() == 404 ? Status.Code.NOT_FOUND : Status.Code.INVALID_ARGUMENT;
            return status(code, pe.code(), pe.getMessage(), Map.of());
        }
        StorageException se = StorageException.unwrap(e);
        if (se != null) {
            return storage(se);
        }
        if (e instanceof CancellationException) {
            return status(Status.Code.CANCELLED, "CANCELLED", "the call was cancelled", Map.of());
        }
        String id = UUID.randomUUID().toString();
        LOG.errorf(e, "Unexpected error %s answered with gRPC INTERNAL", id);
        return status(Status.Code.INTERNAL, "INTERNAL", "the server could not complete the request (error id " + id + ")", Map.of());
    }

    /** Same classification as the REST side (server's StorageErrors): only limit violations are the client's fault. */
    private static StatusRuntimeException storage(StorageException se) {
        StorageErrorCode code = se.code();
        String publicCode = "STORAGE_" + code.name();
        Status.Code status;
        boolean clientFault = false;
        if (code.maybeCommitted()) {
            status = Status.Code.UNKNOWN;
        } else {
            switch (code) {
                case KEY_TOO_LARGE, VALUE_TOO_LARGE, TRANSACTION_TOO_LARGE -> {
                    status = Status.Code.INVALID_ARGUMENT;
                    clientFault = true;
                }
                case TOO_MANY_WATCHES -> status = Status.Code.RESOURCE_EXHAUSTED;
                case TRANSACTION_TIMED_OUT, TRANSACTION_CANCELLED, STORE_CLOSED, STORE_IO_ERROR, STORE_LOCKED ->
                        status = Status.Code.UNAVAILABLE;
                default -> status = code.retryable() ? Status.Code.UNAVAILABLE : Status.Code.INTERNAL;
            }
        }
        if (clientFault) {
            return status(status, publicCode, se.getMessage(), Map.of());
        }
        String id = UUID.randomUUID().toString();
        LOG.errorf(se, "Storage failure %s answered with gRPC %s", id, status);
        return status(status, publicCode, "the store could not complete the request (error id " + id + ")", Map.of());
    }

    public static StatusRuntimeException status(Status.Code code, String errorCode, String detail, Map<String, String> metadata) {
        com.google.rpc.Status proto = com.google.rpc.Status.newBuilder()
                .setCode(code.value())
                .setMessage(errorCode + ": " + detail)
                .addDetails(Any.pack(ErrorInfo.newBuilder().setReason(errorCode).setDomain(DOMAIN).putAllMetadata(metadata).build()))
                .build();
        Metadata trailers = new Metadata();
        trailers.put(ERROR_CODE_KEY, errorCode);
        return StatusProto.toStatusRuntimeException(proto, trailers);
    }

    private static String stripCode(LogException e) {
        String message = e.getMessage();
        String prefix = e.code().name() + ": ";
        return message.startsWith(prefix) ? message.substring(prefix.length()) : message;
    }
}
