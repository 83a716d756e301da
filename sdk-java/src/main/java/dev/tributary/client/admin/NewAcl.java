package dev.tributary.client.admin;

import java.util.Objects;

/**
 * An ACL binding to create: {@code permission} for {@code principal} to do {@code operation} on
 * the resources of {@code resourceType} whose name is {@code resourceName} ({@link
 * AclPatternType#LITERAL}) or starts with it ({@link AclPatternType#PREFIXED}).
 *
 * @param principal a service account id ({@code sa-...}), {@code <pool>:<claim value>} for a principal of
 *     an identity pool, or {@code *} for any principal of the tenant
 * @param operation what is allowed or denied
 * @param resourceType the kind of resource
 * @param patternType literal or prefixed match of the name
 * @param resourceName the name (or prefix); for {@link AclResourceType#TENANT} the tenant id or {@code *}
 * @param permission allow or deny
 */
public record NewAcl(String principal, AclOperation operation, AclResourceType resourceType, AclPatternType patternType,
        String resourceName, AclPermission permission) {
    public NewAcl {
        Objects.requireNonNull(principal, "principal");
        Objects.requireNonNull(operation, "operation");
        Objects.requireNonNull(resourceType, "resourceType");
        Objects.requireNonNull(patternType, "patternType");
        Objects.requireNonNull(resourceName, "resourceName");
        Objects.requireNonNull(permission, "permission");
    }

    /** Allows {@code principal} to do {@code operation} on the one resource named {@code resourceName}. */
    public static NewAcl allow(String principal, AclOperation operation, AclResourceType resourceType, String resourceName) {
        return new NewAcl(principal, operation, resourceType, AclPatternType.LITERAL, resourceName, AclPermission.ALLOW);
    }

    /** Denies {@code principal} {@code operation} on the one resource named {@code resourceName}. */
    public static NewAcl deny(String principal, AclOperation operation, AclResourceType resourceType, String resourceName) {
        return new NewAcl(principal, operation, resourceType, AclPatternType.LITERAL, resourceName, AclPermission.DENY);
    }

    /** The same binding matching every resource whose name starts with {@code resourceName}. */
    public NewAcl prefixed() {
        return new NewAcl(principal, operation, resourceType, AclPatternType.PREFIXED, resourceName, permission);
    }
}
