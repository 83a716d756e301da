package dev.tributary.dataplane.quota;

import com.google.protobuf.Any;
import com.google.rpc.ErrorInfo;
import com.google.rpc.RetryInfo;
import dev.tributary.api.v1.PartitionBatches;
import dev.tributary.api.v1.ProduceRequest;
import dev.tributary.dataplane.errors.DataPlaneErrors;
import dev.tributary.quota.QuotaEnforcer;
import dev.tributary.quota.QuotaException;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * The data plane's side of {@link QuotaEnforcer}: the same checks, with refusals as gRPC statuses
 * that follow the data plane's error convention (the code as the description prefix, a {@code
 * google.rpc.ErrorInfo} and the {@code tributary-error-code} trailer): RESOURCE_EXHAUSTED with
 * reason THROTTLED and a {@code google.rpc.RetryInfo} delay (also as {@code retry_after_ms} in the
 * ErrorInfo), STORAGE_QUOTA_EXCEEDED or CONNECTION_QUOTA_EXCEEDED. Every check runs before the call
 * does anything, so a refused call has written and read nothing.
 *
 * <p>The checks may read a tenant's limits from the store (when the cache is stale): call them on
 * the storage threads.
 */
public final class QuotaGate {
    private final QuotaEnforcer enforcer;

    public QuotaGate(QuotaEnforcer enforcer) {
        this.enforcer = enforcer;
    }

    public QuotaEnforcer enforcer() {
        return enforcer;
    }

    /** A produce request, charged the bytes of its batches as sent. */
    public void admitProduce(String tenant, ProduceRequest request) {
        long bytes = 0;
        for (PartitionBatches p : request.getPartitionsList()) {
            for (int i = 0; i < p.getBatchesCount(); i++) {
                bytes += p.getBatches(i).size();
            }
        }
        try {
            enforcer.admitProduce(tenant, bytes);
        } catch (QuotaException e) {
            throw toStatus(e);
        }
    }

    /** A unary fetch; the bytes it returns are charged with {@link #recordFetched}. */
    public void admitFetch(String tenant) {
        try {
            enforcer.admitFetch(tenant);
        } catch (QuotaException e) {
            throw toStatus(e);
        }
    }

    /** Any other call (offsets, metadata, consumer groups). */
    public void admitRequest(String tenant) {
        try {
            enforcer.admitRequest(tenant);
        } catch (QuotaException e) {
            throw toStatus(e);
        }
    }

    public void recordFetched(String tenant, long bytes) {
        enforcer.recordFetched(tenant, bytes);
    }

    /** How long a subscription waits before its next read (0: read now). */
    public long fetchDelayNanos(String tenant) {
        return enforcer.fetchDelayNanos(tenant);
    }

    /** A new stream of the tenant on this pod; release the permit when it ends. */
    public QuotaEnforcer.StreamPermit openStream(String tenant) {
        try {
            return enforcer.openStream(tenant);
        } catch (QuotaException e) {
            throw toStatus(e);
        }
    }

    /** A quota refusal as RESOURCE_EXHAUSTED with its code; THROTTLED carries the delay as RetryInfo. */
    public static StatusRuntimeException toStatus(QuotaException e) {
        String code = e.code().name();
        Map<String, String> metadata = new HashMap<>();
        com.google.rpc.Status.Builder proto = com.google.rpc.Status.newBuilder()
                .setCode(Status.Code.RESOURCE_EXHAUSTED.value())
                .setMessage(code + ": " + e.detail());
        if (e.retryAfter().isPresent()) {
            Duration delay = e.retryAfter().get();
            metadata.put("retry_after_ms", Long.toString(Math.max(1, (delay.toNanos() + 999_999) / 1_000_000)));
            proto.addDetails(Any.pack(ErrorInfo.newBuilder().setReason(code).setDomain(DataPlaneErrors.DOMAIN)
                    .putAllMetadata(metadata).build()));
            proto.addDetails(Any.pack(RetryInfo.newBuilder().setRetryDelay(com.google.protobuf.Duration.newBuilder()
                    .setSeconds(delay.getSeconds()).setNanos(delay.getNano())).build()));
        } else {
            proto.addDetails(Any.pack(ErrorInfo.newBuilder().setReason(code).setDomain(DataPlaneErrors.DOMAIN).build()));
        }
        Metadata trailers = new Metadata();
        trailers.put(DataPlaneErrors.ERROR_CODE_KEY, code);
        return StatusProto.toStatusRuntimeException(proto.build(), trailers);
    }
}
