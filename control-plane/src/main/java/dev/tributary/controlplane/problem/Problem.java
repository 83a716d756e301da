package dev.tributary.controlplane.problem;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * An RFC 9457 problem detail. {@code code} is Tributary's stable, machine-readable error code
 * (clients branch on it; {@code title} and {@code detail} are for people and may change).
 *
 * @param type "about:blank": the code, not a URI, identifies the problem type
 * @param title short summary, the HTTP reason phrase
 * @param status HTTP status code
 * @param detail what went wrong in this occurrence
 * @param instance {@code urn:uuid:...} of this occurrence, also in the server log, for server-side errors
 * @param code stable error code, e.g. {@code STORAGE_TRANSACTION_TIMED_OUT}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, String instance, String code) {
    public static final String MEDIA_TYPE = "application/problem+json";

    public static Problem of(int status, String title, String code, String detail, String instance) {
        return new Problem("about:blank", title, status, detail, instance, code);
    }

    /** The HTTP reason phrase used as {@code title}. */
    public static String reasonPhrase(int status) {
        jakarta.ws.rs.core.Response.Status known = jakarta.ws.rs.core.Response.Status.fromStatusCode(status);
        if (known != null) {
            return known.getReasonPhrase();
        }
        return switch (status) {
            case 413 -> "Content Too Large";
            case 429 -> "Too Many Requests";
            default -> "HTTP " + status;
        };
    }
}
