package dev.tributary.controlplane.problem;

import dev.tributary.log.LogErrorCode;
import dev.tributary.log.LogException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/** Topic and log errors as problem+json; the code is the {@link LogErrorCode} name. */
@Provider
public class LogExceptionMapper implements ExceptionMapper<LogException> {
    public static int httpStatus(LogErrorCode code) {
        return switch (code) {
            case UNKNOWN_TOPIC, UNKNOWN_PARTITION -> 404;
            case TOPIC_ALREADY_EXISTS, FENCED_LEADER_EPOCH, UNKNOWN_LEADER_EPOCH -> 409;
            case RECORD_TOO_LARGE -> 413;
            case OFFSET_OUT_OF_RANGE, INVALID_BATCH, INVALID_TOPIC_NAME, INVALID_PARTITIONS, INVALID_CONFIG, INVALID_REQUEST -> 400;
        };
    }

    @Override
    public Response toResponse(LogException e) {
        int status = httpStatus(e.code());
        String prefix = e.code().name() + ": ";
        String detail = e.getMessage().startsWith(prefix) ? e.getMessage().substring(prefix.length()) : e.getMessage();
        return Response.status(status).type(Problem.MEDIA_TYPE)
                .entity(Problem.of(status, Problem.reasonPhrase(status), e.code().name(), detail, null))
                .build();
    }
}
