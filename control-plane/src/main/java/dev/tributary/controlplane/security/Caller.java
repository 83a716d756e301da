package dev.tributary.controlplane.security;

import java.util.Set;

/**
 * The authenticated principal of a request, as authorization sees it.
 *
 * @param principalId the token's {@code sub}
 * @param tenant the tenant the principal belongs to; null for cluster-scoped principals
 * @param roles built-in roles ({@link Roles})
 */
public record Caller(String principalId, String tenant, Set<String> roles) {
    /** Key of the SecurityIdentity attribute holding the Caller. */
    public static final String ATTRIBUTE = "tributary.caller";

    public boolean isPlatformAdmin() {
        return tenant == null && roles.contains(Roles.PLATFORM_ADMIN);
    }

    /** Whether the caller administers {@code tenantId}: its own tenant-admin, or a platform administrator. */
    public boolean administers(String tenantId) {
        return isPlatformAdmin() || (tenantId != null && tenantId.equals(tenant) && roles.contains(Roles.TENANT_ADMIN));
    }
}
