/**
 * Access control lists of a tenant: bindings ({@link dev.tributary.acl.AclBinding}) kept by {@link
 * dev.tributary.acl.AclStore} under the tenant's key space ({@link dev.tributary.acl.AclKeySpace}),
 * the evaluation rules ({@link dev.tributary.acl.AclEvaluator}: super users, deny by default, deny
 * over allow, literal and prefixed names, "*", implied operations), and {@link
 * dev.tributary.acl.AclAuthorizer}, which answers decisions from a per-tenant cache dropped by a
 * storage watch when the tenant's ACLs change. Plain Java: the REST API and the data plane wire it.
 */
package dev.tributary.acl;
