package dev.tributary.server.errors;

import dev.tributary.controlplane.problem.Problem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.storage.StorageErrorCode;
import dev.tributary.storage.StorageException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import jakarta.ws.rs.core.Response;
import org.junit.jupiter.api.Test;

/** Storage failures reach REST and gRPC clients with the same classification and never with internals. */
class ErrorMappingTest {

    @Test
    void limitViolationsAreTheClientsFaultAndSayWhy() {
        Response r = new StorageExceptionMapper().toResponse(
                new StorageException(StorageErrorCode.VALUE_TOO_LARGE, "value of 100001 bytes exceeds 100000"));
        assertEquals(413, r.getStatus());
        assertEquals(Problem.MEDIA_TYPE, r.getMediaType().toString());
        Problem p = (Problem) r.getEntity();
        assertEquals("STORAGE_VALUE_TOO_LARGE", p.code());
        assertTrue(p.detail().contains("100001"), p.detail());

        StatusRuntimeException grpc = GrpcErrors.toStatusException(
                new StorageException(StorageErrorCode.KEY_TOO_LARGE, "key of 10001 bytes"));
        assertEquals(Status.Code.INVALID_ARGUMENT, grpc.getStatus().getCode());
        assertTrue(grpc.getStatus().getDescription().startsWith("STORAGE_KEY_TOO_LARGE: "));
    }

    @Test
    void serverSideFailuresHideTheirDetailsAndCarryAnId() {
        StorageException failure = new StorageException(StorageErrorCode.STORE_IO_ERROR, "fsync failed on /secret/path/000123.log");
        Response r = new StorageExceptionMapper().toResponse(failure);
        assertEquals(503, r.getStatus());
        assertEquals("1", r.getHeaderString("Retry-After"));
        Problem p = (Problem) r.getEntity();
        assertEquals("STORAGE_STORE_IO_ERROR", p.code());
        assertFalse(p.detail().contains("/secret"), p.detail());
        assertNotNull(p.instance());
        assertTrue(p.instance().startsWith("urn:uuid:"));

        StatusRuntimeException grpc = GrpcErrors.toStatusException(failure);
        assertEquals(Status.Code.UNAVAILABLE, grpc.getStatus().getCode());
        assertFalse(grpc.getStatus().getDescription().contains("/secret"));
    }

    @Test
    void anUnknownCommitOutcomeIsNotPresentedAsRetryable() {
        StorageErrors.Classification c = StorageErrors.classify(StorageErrorCode.COMMIT_UNKNOWN_RESULT);
        assertEquals(Status.Code.UNKNOWN, c.grpcStatus());
        assertFalse(c.retryLater());
    }

    @Test
    void everyStorageCodeHasAClassification() {
        for (StorageErrorCode code : StorageErrorCode.values()) {
            StorageErrors.Classification c = StorageErrors.classify(code);
            assertTrue(c.httpStatus() >= 400 && c.httpStatus() < 600, code.name());
            if (code.retryable() && !code.maybeCommitted()) {
                assertEquals(503, c.httpStatus(), code + " is transient: clients should retry");
                assertEquals(Status.Code.UNAVAILABLE, c.grpcStatus(), code.name());
            }
        }
    }

    @Test
    void unexpectedExceptionsBecomeInternalWithoutAStackTrace() {
        Response r = new UnexpectedExceptionMapper().toResponse(new IllegalStateException("bug at Foo.java:42"));
        assertEquals(500, r.getStatus());
        Problem p = (Problem) r.getEntity();
        assertEquals("INTERNAL", p.code());
        assertFalse(p.detail().contains("Foo.java"));

        StatusRuntimeException grpc = GrpcErrors.toStatusException(new IllegalStateException("bug at Foo.java:42"));
        assertEquals(Status.Code.INTERNAL, grpc.getStatus().getCode());
        assertFalse(grpc.getStatus().getDescription().contains("Foo.java"));
    }
}
