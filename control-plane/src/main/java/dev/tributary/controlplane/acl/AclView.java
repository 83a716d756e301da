package dev.tributary.controlplane.acl;

import dev.tributary.acl.AclBinding;

/** A binding as the REST API shows it: the six fields by their wire names, and the id derived from them. */
public record AclView(String id, String principal, String operation, String resourceType, String patternType,
        String resourceName, String permission) {
    public static AclView of(AclBinding b) {
        return new AclView(b.id(), b.principal(), b.operation().wireName(), b.resourceType().wireName(),
                b.patternType().wireName(), b.resourceName(), b.permission().wireName());
    }
}
