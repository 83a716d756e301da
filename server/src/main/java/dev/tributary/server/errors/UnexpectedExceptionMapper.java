package dev.tributary.server.errors;

import dev.tributary.controlplane.problem.Problem;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import org.jboss.logging.Logger;

/** Anything unforeseen: 500 with code {@code INTERNAL} and an id to find the stack trace in the log, never the trace itself. */
@Provider
public class UnexpectedExceptionMapper implements ExceptionMapper<Throwable> {
    private static final Logger LOG = Logger.getLogger(UnexpectedExceptionMapper.class);

    @Override
    public Response toResponse(Throwable e) {
        String instance = ProblemResponses.newInstance();
        LOG.errorf(e, "Unexpected error %s", instance);
        return ProblemResponses.builder(Problem.of(500, ProblemResponses.reasonPhrase(500), "INTERNAL",
                "The server could not complete the request.", instance)).build();
    }
}
