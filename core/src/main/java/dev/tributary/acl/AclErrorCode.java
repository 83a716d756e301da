package dev.tributary.acl;

/** Why an ACL operation was refused; the REST API uses these names as its problem codes. */
public enum AclErrorCode {
    /** A field of a binding is missing or invalid; the exception names the field. */
    INVALID_ACL,
    /** A binding with the same six fields (hence the same id) exists already. */
    ACL_ALREADY_EXISTS,
    /** No binding with that id in the tenant. */
    ACL_NOT_FOUND,
    /** The tenant has {@link AclStore#MAX_BINDINGS_PER_TENANT} bindings already. */
    ACL_LIMIT_EXCEEDED
}
