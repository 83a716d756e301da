package dev.tributary.acl;

import java.util.function.Supplier;

/**
 * The evaluation rules, in order:
 *
 * <ol>
 *   <li>platform administrators may do everything in every tenant (super users);
 *   <li>a principal of another tenant (or of none) may do nothing: ACLs of a tenant never grant
 *       anything to principals outside it, whatever they name;
 *   <li>administrators of the tenant (role tenant-admin) may do everything in it (super users);
 *   <li>otherwise the tenant's ACLs decide ({@link AclRules#decide}): a matching deny wins over
 *       any allow, an allow grants, and nothing matching means denied.
 * </ol>
 *
 * The tenant's rules are asked for only at step 4, so super users and other tenants' principals
 * cost no ACL lookup at all.
 */
public final class AclEvaluator {
    private AclEvaluator() {}

    public static AclDecision evaluate(AclPrincipal principal, String tenant, AclOperation operation, AclResourceType type,
            String name, Supplier<AclRules> rules) {
        if (tenant == null || operation == null || type == null || name == null) {
            throw new IllegalArgumentException("tenant, operation, resource type and name are required");
        }
        if (operation == AclOperation.ALL) {
            throw new IllegalArgumentException("ask about one operation; ALL is for ACLs");
        }
        if (principal.platformAdmin()) {
            return new AclDecision(true, AclDecision.Basis.SUPER_USER, "platform administrators may do everything", null);
        }
        if (!tenant.equals(principal.tenant())) {
            return new AclDecision(false, AclDecision.Basis.OTHER_TENANT, "principal " + principal.id()
                    + (principal.tenant() == null ? " belongs to no tenant" : " of tenant '" + principal.tenant() + "'")
                    + " has no access to tenant '" + tenant + "'", null);
        }
        if (principal.tenantAdmin()) {
            return new AclDecision(true, AclDecision.Basis.SUPER_USER, "administrators of tenant '" + tenant
                    + "' may do everything in it", null);
        }
        return rules.get().decide(principal.id(), tenant, operation, type, name);
    }

    /** "principal P may not OPERATION TYPE 'NAME' in tenant 'T'": the start of a denial's reason. */
    static String action(String principalId, String tenant, AclOperation operation, AclResourceType type, String name) {
        return "principal " + principalId + " may not " + operation.wireName() + " " + type.wireName() + " '" + name
                + "' in tenant '" + tenant + "'";
    }
}
