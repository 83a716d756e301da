package dev.tributary.controlplane.security;

import dev.tributary.controlplane.problem.ProblemException;
import io.quarkus.security.identity.SecurityIdentity;

/**
 * The built-in authorization rules of the control plane. Checked before anything is read, so that
 * a denied caller learns nothing (not even whether a tenant exists) and changes nothing. ACLs will
 * refine what members may do; these rules stay.
 */
public final class AccessRules {
    private AccessRules() {}

    /** The caller of the current request; every protected path has one (see AuthenticationGate). */
    public static Caller caller(SecurityIdentity identity) {
        Caller caller = identity == null ? null : identity.getAttribute(Caller.ATTRIBUTE);
        if (caller == null) {
            throw ProblemException.forbidden("the request's principal is not a Tributary principal");
        }
        return caller;
    }

    public static Caller requirePlatformAdmin(SecurityIdentity identity) {
        Caller caller = caller(identity);
        if (!caller.isPlatformAdmin()) {
            throw ProblemException.forbidden("only platform administrators may do this");
        }
        return caller;
    }

    /** The caller administers {@code tenant}: its tenant-admin, or a platform administrator. */
    public static Caller requireTenantAdmin(SecurityIdentity identity, String tenant) {
        Caller caller = caller(identity);
        if (!caller.administers(tenant)) {
            throw ProblemException.forbidden(caller.tenant() != null && !caller.tenant().equals(tenant)
                    ? "principals of another tenant may not access tenant '" + tenant + "'"
                    : "only administrators of tenant '" + tenant + "' may do this");
        }
        return caller;
    }
}
