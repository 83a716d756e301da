package dev.tributary.controlplane.quota;

import dev.tributary.controlplane.problem.Problem;
import dev.tributary.quota.QuotaErrorCode;
import dev.tributary.quota.QuotaException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.time.Duration;

/**
 * Quota errors of core as problem+json; the code is the {@link QuotaErrorCode} name (the same
 * strings as in ErrorCodes). Throttling is 429 with {@code Retry-After} in whole seconds, rounded up.
 */
@Provider
public class QuotaExceptionMapper implements ExceptionMapper<QuotaException> {
    static int httpStatus(QuotaErrorCode code) {
        return switch (code) {
            case INVALID_QUOTA -> 400;
            case TOPIC_QUOTA_EXCEEDED, PARTITION_QUOTA_EXCEEDED -> 409;
            case THROTTLED, STORAGE_QUOTA_EXCEEDED, CONNECTION_QUOTA_EXCEEDED -> 429;
        };
    }

    @Override
    public Response toResponse(QuotaException e) {
        int status = httpStatus(e.code());
        Response.ResponseBuilder response = Response.status(status).type(Problem.MEDIA_TYPE)
                .entity(Problem.of(status, Problem.reasonPhrase(status), e.code().name(), e.detail(), null));
        if (e.retryAfter().isPresent()) {
            Duration after = e.retryAfter().get();
            long seconds = Math.max(1, (after.toMillis() + 999) / 1000);
            response.header("Retry-After", Long.toString(seconds));
        }
        return response.build();
    }
}
