package dev.tributary.client.admin;

/**
 * An ACL binding as the server keeps it (see {@link NewAcl} for the fields).
 *
 * @param id derived from the other six fields by the server: the same binding always has the same id
 */
public record AclBinding(String id, String principal, AclOperation operation, AclResourceType resourceType, AclPatternType patternType,
        String resourceName, AclPermission permission) {}
