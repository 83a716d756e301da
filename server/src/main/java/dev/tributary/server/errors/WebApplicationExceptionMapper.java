package dev.tributary.server.errors;

import dev.tributary.controlplane.problem.Problem;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * JAX-RS errors (404, 405, 406, 415, ...) as problem+json, keeping their status and headers such
 * as {@code Allow}; the code is the status name, e.g. {@code NOT_FOUND}.
 */
@Provider
public class WebApplicationExceptionMapper implements ExceptionMapper<WebApplicationException> {
    private static final Logger LOG = Logger.getLogger(WebApplicationExceptionMapper.class);

    @Override
    public Response toResponse(WebApplicationException e) {
        Response original = e.getResponse();
        int status = original.getStatus();
        Response.Status known = Response.Status.fromStatusCode(status);
        String code = known != null ? known.name() : "HTTP_" + status;
        String detail = e.getMessage();
        String instance = null;
        if (status >= 500) {
            detail = "The server could not complete the request.";
            instance = ProblemResponses.newInstance();
            LOG.errorf(e, "Request failed with HTTP %d: %s", status, instance);
        }
        Response.ResponseBuilder response = ProblemResponses.builder(
                Problem.of(status, ProblemResponses.reasonPhrase(status), code, detail, instance));
        for (Map.Entry<String, List<Object>> header : original.getHeaders().entrySet()) {
            String name = header.getKey();
            if (!name.equalsIgnoreCase(HttpHeaders.CONTENT_TYPE) && !name.equalsIgnoreCase(HttpHeaders.CONTENT_LENGTH)) {
                header.getValue().forEach(value -> response.header(name, value));
            }
        }
        return response.build();
    }
}
