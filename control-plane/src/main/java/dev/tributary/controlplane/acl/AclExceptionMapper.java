package dev.tributary.controlplane.acl;

import dev.tributary.acl.AclErrorCode;
import dev.tributary.acl.AclException;
import dev.tributary.controlplane.problem.Problem;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/** ACL errors of core as problem+json; the code is the {@link AclErrorCode} name (the same strings as in ErrorCodes). */
@Provider
public class AclExceptionMapper implements ExceptionMapper<AclException> {
    static int httpStatus(AclErrorCode code) {
        return switch (code) {
            case INVALID_ACL -> 400;
            case ACL_NOT_FOUND -> 404;
            case ACL_ALREADY_EXISTS, ACL_LIMIT_EXCEEDED -> 409;
        };
    }

    @Override
    public Response toResponse(AclException e) {
        int status = httpStatus(e.code());
        return Response.status(status).type(Problem.MEDIA_TYPE)
                .entity(Problem.of(status, Problem.reasonPhrase(status), e.code().name(), e.detail(), null))
                .build();
    }
}
