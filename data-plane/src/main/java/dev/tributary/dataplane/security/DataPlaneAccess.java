package dev.tributary.dataplane.security;

import dev.tributary.controlplane.security.Caller;
import dev.tributary.dataplane.errors.DataPlaneErrors;
import io.quarkus.security.identity.SecurityIdentity;

/**
 * Who may do what on the data plane: the one place ACLs will replace. A call addresses the
 * caller's own tenant only, by construction: the tenant comes from the verified token, never from
 * the request, so a topic name always resolves in the caller's own subspace. Until ACLs exist,
 * every principal of a tenant may produce to, fetch from and describe every topic of its tenant.
 */
public final class DataPlaneAccess {
    /** What a call does, for the ACL check that will come (operations of issue 8). */
    public enum Operation {
        WRITE, READ, DESCRIBE
    }

    private DataPlaneAccess() {}

    /**
     * The tenant of the current call's caller, after checking that it may perform {@code operation}
     * on {@code topic} (null: every topic, as Metadata without names). Read it on the thread the
     * gRPC method is invoked on: the identity is bound to the call there.
     */
    public static String authorize(SecurityIdentity identity, Operation operation, String topic) {
        Caller caller = identity == null ? null : identity.getAttribute(Caller.ATTRIBUTE);
        if (caller == null) {
            throw DataPlaneErrors.forbidden("the call's principal is not a Tributary principal");
        }
        if (caller.tenant() == null) {
            throw DataPlaneErrors.forbidden("principal " + caller.principalId()
                    + " belongs to no tenant (platform administrators have no topics): use a tenant's service account");
        }
        // ACLs (issue 8) go here: (caller, operation, topic) -> allow / deny.
        return caller.tenant();
    }
}
