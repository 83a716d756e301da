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
    /** No consumer group with that id in the tenant. */
    public static final String GROUP_NOT_FOUND = "GROUP_NOT_FOUND";
    /** The group has live members: offsets can be reset, and the group deleted, only when it is empty. */
    public static final String GROUP_NOT_EMPTY = "GROUP_NOT_EMPTY";
    /** A group id that is not 1 to 249 printable ASCII characters without spaces. */
    public static final String INVALID_GROUP_ID = "INVALID_GROUP_ID";
    // ACL errors are the names of dev.tributary.acl.AclErrorCode (AclExceptionMapper); the same strings here.
    /** A field of an ACL binding is missing or invalid; the detail names the field. */
    public static final String INVALID_ACL = "INVALID_ACL";
    /** An ACL with the same six fields (so the same id) exists already. */
    public static final String ACL_ALREADY_EXISTS = "ACL_ALREADY_EXISTS";
    /** No ACL with that id in the tenant. */
    public static final String ACL_NOT_FOUND = "ACL_NOT_FOUND";
    /** The tenant has as many ACLs as a tenant may have (10,000). */
    public static final String ACL_LIMIT_EXCEEDED = "ACL_LIMIT_EXCEEDED";
    // Quota errors are the names of dev.tributary.quota.QuotaErrorCode (QuotaExceptionMapper); the same strings here.
    /** A quota limit that is not a whole number in its range, or an unknown field; the detail names the field. */
    public static final String INVALID_QUOTA = "INVALID_QUOTA";
    /** A rate quota's budget is spent: 429 with Retry-After (gRPC RESOURCE_EXHAUSTED with a RetryInfo delay). */
    public static final String THROTTLED = "THROTTLED";
    /** Creating the topic would exceed the tenant's topic quota; nothing was created. */
    public static final String TOPIC_QUOTA_EXCEEDED = "TOPIC_QUOTA_EXCEEDED";
    /** Creating or growing the topic would exceed the tenant's partition quota; nothing was changed. */
    public static final String PARTITION_QUOTA_EXCEEDED = "PARTITION_QUOTA_EXCEEDED";
    /** The tenant stores as much as its storage quota allows (gRPC RESOURCE_EXHAUSTED on produce). */
    public static final String STORAGE_QUOTA_EXCEEDED = "STORAGE_QUOTA_EXCEEDED";
    /** The tenant has as many streams open on the node as its connection quota allows (gRPC RESOURCE_EXHAUSTED). */
    public static final String CONNECTION_QUOTA_EXCEEDED = "CONNECTION_QUOTA_EXCEEDED";
    /** A field of an identity pool is missing or invalid (or unknown); the detail names the field. */
    public static final String INVALID_IDENTITY_POOL = "INVALID_IDENTITY_POOL";
    /** The tenant has an identity pool of that name already. */
    public static final String IDENTITY_POOL_ALREADY_EXISTS = "IDENTITY_POOL_ALREADY_EXISTS";
    /** No identity pool of that name in the tenant. */
    public static final String IDENTITY_POOL_NOT_FOUND = "IDENTITY_POOL_NOT_FOUND";
    /** The issuer belongs to another identity pool already (of this or another tenant): an issuer has one pool in the cluster. */
    public static final String ISSUER_ALREADY_REGISTERED = "ISSUER_ALREADY_REGISTERED";
    /** The tenant has as many identity pools as a tenant may have. */
    public static final String IDENTITY_POOL_LIMIT_EXCEEDED = "IDENTITY_POOL_LIMIT_EXCEEDED";

    private ErrorCodes() {}
}
