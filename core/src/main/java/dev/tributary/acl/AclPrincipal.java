package dev.tributary.acl;

/**
 * Who asks, as ACL evaluation sees it: the verified caller reduced to what the rules need.
 *
 * @param id the principal id ACLs name: a service account's id ({@code sa-...}, its tokens'
 *     {@code sub}), or {@code pool:value} for a principal of one of the tenant's identity pools
 * @param tenant the tenant the principal belongs to; null for cluster-scoped principals
 * @param tenantAdmin whether it has the tenant-admin role (of {@code tenant})
 * @param platformAdmin whether it is a platform administrator (cluster scope)
 */
public record AclPrincipal(String id, String tenant, boolean tenantAdmin, boolean platformAdmin) {
    public AclPrincipal {
        if (id == null || id.isEmpty()) {
            throw new IllegalArgumentException("a principal has an id");
        }
    }
}
