package dev.tributary.acl;

/**
 * The answer to "may this principal do this": allowed or not, on what basis, and a sentence that
 * says so (shown to the caller when denied: it names the operation and the resource, never
 * another principal's ACLs).
 *
 * @param matched the ACL that decided, for ALLOWED_BY_ACL and DENIED_BY_ACL; null otherwise
 */
public record AclDecision(boolean allowed, Basis basis, String reason, AclBinding matched) {
    /** Why. */
    public enum Basis {
        /** A platform administrator, or an administrator of the resource's tenant: everything is allowed. */
        SUPER_USER,
        /** An allow ACL matched and no deny did. */
        ALLOWED_BY_ACL,
        /** A deny ACL matched (whatever allows too). */
        DENIED_BY_ACL,
        /** No ACL matched: denied by default. */
        NO_MATCHING_ACL,
        /** The principal belongs to another tenant (or to none): always denied. */
        OTHER_TENANT
    }
}
