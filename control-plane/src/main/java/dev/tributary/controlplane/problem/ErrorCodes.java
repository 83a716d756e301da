package dev.tributary.controlplane.problem;

/** The stable error codes of the control plane and of authentication; clients branch on these. */
public final class ErrorCodes {
    /** No bearer token (or not a bearer token) on a protected path. */
    public static final String UNAUTHENTICATED = "UNAUTHENTICATED";
    /** A well-formed token from a trusted issuer whose {@code exp} has passed. */
    public static final String TOKEN_EXPIRED = "TOKEN_EXPIRED";
    /** A token that is malformed, badly signed, for another audience or from an unknown issuer. */
    public static final String INVALID_TOKEN = "INVALID_TOKEN";
    /** Authenticated, but the principal may not do this. */
    public static final String FORBIDDEN = "FORBIDDEN";

    public static final String INVALID_REQUEST = "INVALID_REQUEST";
    public static final String INVALID_PAGE_TOKEN = "INVALID_PAGE_TOKEN";
    public static final String INVALID_TENANT_ID = "INVALID_TENANT_ID";
    public static final String TENANT_ALREADY_EXISTS = "TENANT_ALREADY_EXISTS";
    public static final String TENANT_NOT_FOUND = "TENANT_NOT_FOUND";
    public static final String INVALID_SERVICE_ACCOUNT_NAME = "INVALID_SERVICE_ACCOUNT_NAME";
    public static final String INVALID_ROLE = "INVALID_ROLE";
    public static final String SERVICE_ACCOUNT_ALREADY_EXISTS = "SERVICE_ACCOUNT_ALREADY_EXISTS";
    public static final String SERVICE_ACCOUNT_NOT_FOUND = "SERVICE_ACCOUNT_NOT_FOUND";
    /** An {@code If-Match} that no longer matches the resource (optimistic concurrency). */
    public static final String PRECONDITION_FAILED = "PRECONDITION_FAILED";
    // Topic errors use the names of dev.tributary.log.LogErrorCode: UNKNOWN_TOPIC, TOPIC_ALREADY_EXISTS, ...

    private ErrorCodes() {}
}
