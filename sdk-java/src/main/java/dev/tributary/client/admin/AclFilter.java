package dev.tributary.client.admin;

/**
 * Which ACL bindings to list; a null field matches every binding.
 *
 * @param principal bindings naming exactly this principal (or {@code *})
 * @param resourceType bindings on this kind of resource
 * @param resourceName bindings whose resource name is exactly this
 */
public record AclFilter(String principal, AclResourceType resourceType, String resourceName) {
    /** Every binding of the tenant. */
    public static final AclFilter ANY = new AclFilter(null, null, null);

    public static AclFilter forPrincipal(String principal) {
        return new AclFilter(principal, null, null);
    }

    public static AclFilter forResource(AclResourceType resourceType, String resourceName) {
        return new AclFilter(null, resourceType, resourceName);
    }
}
