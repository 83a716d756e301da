package dev.tributary.controlplane.problem;

/**
 * A request that cannot be served, with the stable {@code code} and HTTP status the client gets as
 * problem+json (see {@link ProblemExceptionMapper}). The detail is shown to the client: it must
 * never carry internals.
 */
public class ProblemException extends RuntimeException {
    private final int status;
    private final String code;

    public ProblemException(int status, String code, String detail) {
        super(detail);
        this.status = status;
        this.code = code;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public static ProblemException badRequest(String code, String detail) {
        return new ProblemException(400, code, detail);
    }

    public static ProblemException forbidden(String detail) {
        return new ProblemException(403, ErrorCodes.FORBIDDEN, detail);
    }

    public static ProblemException notFound(String code, String detail) {
        return new ProblemException(404, code, detail);
    }

    public static ProblemException conflict(String code, String detail) {
        return new ProblemException(409, code, detail);
    }
}
