package dev.tributary.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Any;
import com.google.rpc.ErrorInfo;
import com.google.rpc.RetryInfo;
import dev.tributary.client.TributaryException;
import io.grpc.Status;
import io.grpc.protobuf.StatusProto;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Quota refusals as the server sends them (see the data plane's QuotaGate), translated for the SDK's retry logic. */
class ErrorsTest {
    private static Throwable refusal(String code, Duration retryDelay) {
        com.google.rpc.Status.Builder status = com.google.rpc.Status.newBuilder().setCode(Status.Code.RESOURCE_EXHAUSTED.value())
                .setMessage(code + ": tenant 'acme' is over its quota")
                .addDetails(Any.pack(ErrorInfo.newBuilder().setReason(code).setDomain("tributary.dev").build()));
        if (retryDelay != null) {
            status.addDetails(Any.pack(RetryInfo.newBuilder().setRetryDelay(com.google.protobuf.Duration.newBuilder()
                    .setSeconds(retryDelay.getSeconds()).setNanos(retryDelay.getNano())).build()));
        }
        return StatusProto.toStatusRuntimeException(status.build());
    }

    @Test
    void throttledIsRetriableAfterTheServersDelay() {
        TributaryException e = Errors.translate(refusal("THROTTLED", Duration.ofMillis(1_501)));
        assertEquals("THROTTLED", e.code());
        assertTrue(e.retriable());
        assertEquals(Optional.of(Duration.ofMillis(1_501)), e.retryAfter());
        assertEquals("THROTTLED: tenant 'acme' is over its quota", e.getMessage());
    }

    @Test
    void storageAndConnectionQuotasAreNotCuredByWaiting() {
        for (String code : new String[] {"STORAGE_QUOTA_EXCEEDED", "CONNECTION_QUOTA_EXCEEDED"}) {
            TributaryException e = Errors.translate(refusal(code, null));
            assertEquals(code, e.code());
            assertFalse(e.retriable(), code);
            assertTrue(e.retryAfter().isEmpty());
        }
        // Other RESOURCE_EXHAUSTED answers stay retriable as before.
        assertTrue(Errors.translate(refusal("GROUP_TOO_LARGE", null)).retriable());
    }
}
