package dev.tributary.controlplane.acl;

import dev.tributary.acl.AclAuthorizer;
import dev.tributary.acl.AclDecision;
import dev.tributary.acl.AclOperation;
import dev.tributary.acl.AclPrincipal;
import dev.tributary.acl.AclResourceType;
import dev.tributary.controlplane.problem.ProblemException;
import dev.tributary.controlplane.security.Caller;
import dev.tributary.controlplane.security.Roles;
import jakarta.inject.Singleton;

/**
 * ACL checks for REST resources (topics, consumer groups, the schema registry): one call per
 * operation, answered by the application's {@link AclAuthorizer}. A denial is 403 FORBIDDEN whose
 * detail names the operation and the resource; nothing has been read or written when it is thrown,
 * so call it before touching anything.
 *
 * <p>A decision that needs the tenant's ACLs and does not find them cached reads the store: call
 * it on a worker thread (resources are {@code @Blocking} or run there by default).
 */
@Singleton
public class AclAccess {
    private final AclAuthorizer authorizer;

    AclAccess(AclAuthorizer authorizer) {
        this.authorizer = authorizer;
    }

    /** The caller as ACL evaluation sees it. */
    public static AclPrincipal principal(Caller caller) {
        return new AclPrincipal(caller.principalId(), caller.tenant(), caller.roles().contains(Roles.TENANT_ADMIN),
                caller.isPlatformAdmin());
    }

    /** The decision, with its reason, for {@code caller} doing {@code operation} on {@code type} {@code name} of {@code tenant}. */
    public AclDecision decide(Caller caller, String tenant, AclOperation operation, AclResourceType type, String name) {
        return authorizer.authorize(principal(caller), tenant, operation, type, name);
    }

    public boolean allowed(Caller caller, String tenant, AclOperation operation, AclResourceType type, String name) {
        return decide(caller, tenant, operation, type, name).allowed();
    }

    /** Returns quietly if allowed; else 403 FORBIDDEN naming the operation and the resource. */
    public void require(Caller caller, String tenant, AclOperation operation, AclResourceType type, String name) {
        AclDecision decision = decide(caller, tenant, operation, type, name);
        if (!decision.allowed()) {
            throw ProblemException.forbidden(decision.reason());
        }
    }

    /**
     * 403 FORBIDDEN unless the caller may address {@code tenant} at all (a principal of it, or a
     * platform administrator): for lists, which then show only what the caller may describe.
     */
    public static void requireTenantPrincipal(Caller caller, String tenant) {
        if (!caller.isPlatformAdmin() && (caller.tenant() == null || !caller.tenant().equals(tenant))) {
            throw ProblemException.forbidden("principals of another tenant may not access tenant '" + tenant + "'");
        }
    }
}
