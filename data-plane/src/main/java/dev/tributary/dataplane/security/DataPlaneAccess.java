package dev.tributary.dataplane.security;

import dev.tributary.controlplane.security.Caller;
import dev.tributary.dataplane.errors.DataPlaneErrors;

/**
 * Who may do what on the data plane: the one place ACLs will replace. A call addresses the
 * caller's own tenant only, by construction: the tenant comes from the verified token, never from
 * the request, so a topic name always resolves in the caller's own subspace. Until ACLs exist,
 * every principal of a tenant may produce to, fetch from and describe every topic of its tenant,
 * and join, commit to and administer every consumer group of its tenant.
 */
public final class DataPlaneAccess {
    /**
     * What a call does, for the ACL check that will come (operations of issue 8). On groups, as
     * Kafka's group ACLs: READ to be a member, commit and reset offsets; DESCRIBE to list,
     * describe and fetch offsets; DELETE to delete.
     */
    public enum Operation {
        WRITE, READ, DESCRIBE, DELETE
    }

    private DataPlaneAccess() {}

    /**
     * The tenant of the current call's caller, after checking that it may perform {@code operation}
     * on {@code topic} (null: every topic, as Metadata without names). Call it on the thread the
     * gRPC method is invoked on: the caller is bound to the call there (see {@link CallerContext}).
     */
    public static String authorize(CallerContext callers, Operation operation, String topic) {
        // ACLs (issue 8) go here: (caller, operation, topic) -> allow / deny.
        return tenantOf(callers.current());
    }

    /**
     * The tenant of the current call's caller, after checking that it may perform {@code operation}
     * on consumer group {@code group} (null: every group, as ListGroups). Same threading rule as
     * {@link #authorize}.
     */
    public static String authorizeGroup(CallerContext callers, Operation operation, String group) {
        // ACLs (issue 8) go here: (caller, operation, group) -> allow / deny.
        return tenantOf(callers.current());
    }

    private static String tenantOf(Caller caller) {
        if (caller == null) {
            throw DataPlaneErrors.forbidden("the call's principal is not a Tributary principal");
        }
        if (caller.tenant() == null) {
            throw DataPlaneErrors.forbidden("principal " + caller.principalId()
                    + " belongs to no tenant (platform administrators have no topics): use a tenant's service account");
        }
        return caller.tenant();
    }
}
