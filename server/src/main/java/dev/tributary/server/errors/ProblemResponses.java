package dev.tributary.server.errors;

import dev.tributary.controlplane.problem.Problem;
import jakarta.ws.rs.core.Response;
import java.util.UUID;

/** Builds problem+json responses. */
final class ProblemResponses {
    private ProblemResponses() {}

    static Response.ResponseBuilder builder(Problem problem) {
        return Response.status(problem.status()).type(Problem.MEDIA_TYPE).entity(problem);
    }

    static String reasonPhrase(int status) {
        return Problem.reasonPhrase(status);
    }

    /** An id for one occurrence, returned to the client and logged with the details. */
    static String newInstance() {
        return "urn:uuid:" + UUID.randomUUID();
    }
}
