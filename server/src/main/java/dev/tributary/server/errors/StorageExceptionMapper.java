package dev.tributary.server.errors;

import dev.tributary.controlplane.problem.Problem;
import dev.tributary.storage.StorageException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import org.jboss.logging.Logger;

/** A storage failure as problem+json with code {@code STORAGE_<StorageErrorCode>}. */
@Provider
public class StorageExceptionMapper implements ExceptionMapper<StorageException> {
    private static final Logger LOG = Logger.getLogger(StorageExceptionMapper.class);

    @Override
    public Response toResponse(StorageException e) {
        StorageErrors.Classification c = StorageErrors.classify(e.code());
        String code = StorageErrors.publicCode(e.code());
        String title = ProblemResponses.reasonPhrase(c.httpStatus());
        if (c.clientFault()) {
            return ProblemResponses.builder(Problem.of(c.httpStatus(), title, code, e.getMessage(), null)).build();
        }
        String instance = ProblemResponses.newInstance();
        LOG.errorf(e, "Storage failure %s answered with HTTP %d", instance, c.httpStatus());
        String detail = c.retryLater()
                ? "The store could not complete the request; retry later."
                : "The store could not complete the request.";
        Response.ResponseBuilder response = ProblemResponses.builder(Problem.of(c.httpStatus(), title, code, detail, instance));
        if (c.retryLater()) {
            response.header("Retry-After", "1");
        }
        return response.build();
    }
}
