package dev.tributary.acl;

/**
 * Which bindings a listing returns: each field null for "any", otherwise equal to the binding's
 * field (the binding's own resource name, not the resources its pattern covers).
 */
public record AclFilter(String principal, AclResourceType resourceType, String resourceName) {
    public static final AclFilter ALL = new AclFilter(null, null, null);

    public boolean matches(AclBinding binding) {
        return (principal == null || principal.equals(binding.principal()))
                && (resourceType == null || resourceType == binding.resourceType())
                && (resourceName == null || resourceName.equals(binding.resourceName()));
    }
}
