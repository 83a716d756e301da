package dev.tributary.controlplane.security;

import java.util.Set;

/**
 * Built-in roles. What a member may do inside its tenant is decided by ACLs (next step); the two
 * administrator roles are what manages tenants and their principals.
 */
public final class Roles {
    /** Manages tenants; cluster-scoped, belongs to no tenant. */
    public static final String PLATFORM_ADMIN = "platform-admin";
    /** Manages one tenant: its service accounts (and later its topics, ACLs, quotas). */
    public static final String TENANT_ADMIN = "tenant-admin";
    /** A tenant's ordinary principal: no built-in role, only what ACLs grant. */
    public static final String MEMBER = "member";

    /** Roles a tenant's service account may have. */
    public static final Set<String> TENANT_ROLES = Set.of(TENANT_ADMIN, MEMBER);

    private Roles() {}

    /** The {@code tributary_roles} claim for a role: a member has none. */
    public static Set<String> claimFor(String role) {
        return MEMBER.equals(role) ? Set.of() : Set.of(role);
    }
}
