package dev.tributary.controlplane.group;

import dev.tributary.controlplane.problem.ErrorCodes;
import dev.tributary.controlplane.problem.Problem;
import dev.tributary.group.GroupException;
import dev.tributary.log.LogErrorCode;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/**
 * Consumer-group errors of core as problem+json. Codes follow the REST API's names where they
 * differ from core's: GROUP_NOT_FOUND, and UNKNOWN_TOPIC as the topic API says it; the rest keep
 * core's name.
 */
@Provider
public class GroupExceptionMapper implements ExceptionMapper<GroupException> {
    @Override
    public Response toResponse(GroupException e) {
        // Exhaustive over the enum: a new code in core does not compile until it has a status here.
        int status = switch (e.code()) {
            case UNKNOWN_GROUP, UNKNOWN_TOPIC_OR_PARTITION -> 404;
            case INVALID_REQUEST, INVALID_OFFSET -> 400;
            case GROUP_NOT_EMPTY, GROUP_TOO_LARGE, UNKNOWN_MEMBER_ID, STALE_MEMBER_EPOCH, FENCED_MEMBER_EPOCH, NOT_ASSIGNED -> 409;
        };
        String code = switch (e.code()) {
            case UNKNOWN_GROUP -> ErrorCodes.GROUP_NOT_FOUND;
            case UNKNOWN_TOPIC_OR_PARTITION -> LogErrorCode.UNKNOWN_TOPIC.name();
            default -> e.code().name();
        };
        String prefix = e.code().name() + ": ";
        String detail = e.getMessage().startsWith(prefix) ? e.getMessage().substring(prefix.length()) : e.getMessage();
        return Response.status(status).type(Problem.MEDIA_TYPE)
                .entity(Problem.of(status, Problem.reasonPhrase(status), code, detail, null))
                .build();
    }
}
