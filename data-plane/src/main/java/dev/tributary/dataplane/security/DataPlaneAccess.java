package dev.tributary.dataplane.security;

import dev.tributary.acl.AclAuthorizer;
import dev.tributary.acl.AclDecision;
import dev.tributary.acl.AclOperation;
import dev.tributary.acl.AclResourceType;
import dev.tributary.controlplane.acl.AclAccess;
import dev.tributary.controlplane.problem.ErrorCodes;
import dev.tributary.controlplane.security.Caller;
import dev.tributary.dataplane.errors.DataPlaneErrors;
import io.grpc.Status;
import java.util.Map;

/**
 * Who may do what on the data plane, by the tenant's ACLs ({@link AclAuthorizer}). A call addresses
 * the caller's own tenant only, by construction: the tenant comes from the verified token, never
 * from the request, so a topic or group name always resolves in the caller's own subspace.
 *
 * <p>Two steps, because of threads: {@link #caller()} on the thread that invokes the gRPC method
 * (the caller is bound to the call there, see {@link CallerContext}); the checks ({@link
 * #requireTopic}, {@link #requireGroup}, {@link #allowed}) where storage may be read, on the
 * storage executor, since a decision whose tenant's ACLs are not cached loads them. A denial is
 * PERMISSION_DENIED with the code FORBIDDEN and a detail naming the operation and the resource,
 * thrown before the call reads or writes anything else.
 *
 * <p>What each call needs (Kafka's rules): Produce WRITE on the topic; Fetch and Subscribe READ on
 * the topic; ListOffsets and Metadata DESCRIBE on the topic (Metadata without names lists only
 * the topics the caller may describe); Heartbeat (join) and LeaveGroup READ on the group and
 * DESCRIBE on the subscribed topics; CommitOffsets and ResetOffsets READ on the group and READ on
 * the topics; FetchOffsets and DescribeGroup DESCRIBE on the group; ListGroups lists the groups the
 * caller may describe; DeleteGroup DELETE on the group. Administrators of the tenant may do
 * everything; platform administrators belong to no tenant and have no data plane.
 */
public final class DataPlaneAccess {
    private final CallerContext callers;
    private final AclAuthorizer acls;

    public DataPlaneAccess(CallerContext callers, AclAuthorizer acls) {
        this.callers = callers;
        this.acls = acls;
    }

    /**
     * The caller of the call being served, who must belong to a tenant (its {@code tenant()} is the
     * tenant every name of the call resolves in). Call it on the thread the gRPC method is invoked on.
     */
    public Caller caller() {
        Caller caller = callers.current();
        if (caller == null) {
            throw DataPlaneErrors.forbidden("the call's principal is not a Tributary principal");
        }
        if (caller.tenant() == null) {
            throw DataPlaneErrors.forbidden("principal " + caller.principalId()
                    + " belongs to no tenant (platform administrators have no topics): use a tenant's service account");
        }
        return caller;
    }

    /** PERMISSION_DENIED unless {@code caller} may perform {@code operation} on topic {@code topic} of its tenant. */
    public void requireTopic(Caller caller, AclOperation operation, String topic) {
        require(caller, operation, AclResourceType.TOPIC, topic);
    }

    /** PERMISSION_DENIED unless {@code caller} may perform {@code operation} on consumer group {@code group} of its tenant. */
    public void requireGroup(Caller caller, AclOperation operation, String group) {
        require(caller, operation, AclResourceType.GROUP, group);
    }

    /** Whether {@code caller} may perform {@code operation} on the resource (for filtering lists). */
    public boolean allowed(Caller caller, AclOperation operation, AclResourceType type, String name) {
        return decide(caller, operation, type, name).allowed();
    }

    private void require(Caller caller, AclOperation operation, AclResourceType type, String name) {
        AclDecision decision = decide(caller, operation, type, name);
        if (!decision.allowed()) {
            throw DataPlaneErrors.status(Status.Code.PERMISSION_DENIED, ErrorCodes.FORBIDDEN, decision.reason(),
                    Map.of("operation", operation.wireName(), "resource_type", type.wireName(), "resource_name", name));
        }
    }

    private AclDecision decide(Caller caller, AclOperation operation, AclResourceType type, String name) {
        return acls.authorize(AclAccess.principal(caller), caller.tenant(), operation, type, name);
    }
}
