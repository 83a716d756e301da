package dev.tributary.controlplane.problem;

import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/** {@link ProblemException} as RFC 9457 problem+json. */
@Provider
public class ProblemExceptionMapper implements ExceptionMapper<ProblemException> {
    @Override
    public Response toResponse(ProblemException e) {
        return Response.status(e.status()).type(Problem.MEDIA_TYPE)
                .entity(Problem.of(e.status(), Problem.reasonPhrase(e.status()), e.code(), e.getMessage(), null))
                .build();
    }
}
