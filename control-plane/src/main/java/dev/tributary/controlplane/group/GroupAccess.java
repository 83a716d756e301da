package dev.tributary.controlplane.group;

import dev.tributary.acl.AclOperation;
import dev.tributary.acl.AclResourceType;
import dev.tributary.controlplane.acl.AclAccess;
import dev.tributary.controlplane.security.AccessRules;
import dev.tributary.controlplane.security.Caller;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.inject.Singleton;
import java.util.Collection;

/**
 * Who may do what with a tenant's consumer groups over REST, by the tenant's ACLs on resource type
 * group, with Kafka's operations: DESCRIBE to describe (and to see a group in a listing), READ to
 * reset offsets (with READ on the topics whose offsets move), DELETE to delete. Administrators of the tenant and platform administrators may
 * do everything; a principal of another tenant nothing. Checked before anything is read: a caller
 * of another tenant gets 403 FORBIDDEN whether the tenant or the group exists or not, and nothing
 * changes.
 */
@Singleton
public class GroupAccess {
    private final AclAccess acls;

    GroupAccess(AclAccess acls) {
        this.acls = acls;
    }

    /** The caller, if it may perform {@code operation} on group {@code group} of {@code tenant}; 403 FORBIDDEN otherwise. */
    public Caller require(SecurityIdentity identity, String tenant, AclOperation operation, String group) {
        Caller caller = AccessRules.caller(identity);
        acls.require(caller, tenant, operation, AclResourceType.GROUP, group);
        return caller;
    }

    /** The caller, if it may address {@code tenant} at all: what a listing needs first; 403 FORBIDDEN otherwise. */
    public Caller requireTenantPrincipal(SecurityIdentity identity, String tenant) {
        Caller caller = AccessRules.caller(identity);
        AclAccess.requireTenantPrincipal(caller, tenant);
        return caller;
    }

    /**
     * 403 FORBIDDEN unless {@code caller} may READ every one of {@code topics}: moving a group's
     * offsets of a topic is consuming it, as a commit is (Kafka asks the same of an offset commit,
     * and the data plane of its ResetOffsets).
     */
    public void requireTopicsRead(Caller caller, String tenant, Collection<String> topics) {
        for (String topic : topics) {
            acls.require(caller, tenant, AclOperation.READ, AclResourceType.TOPIC, topic);
        }
    }

    /** Whether a listing shows {@code group} to {@code caller} (DESCRIBE on it, as Kafka lists groups). */
    public boolean mayDescribe(Caller caller, String tenant, String group) {
        return acls.allowed(caller, tenant, AclOperation.DESCRIBE, AclResourceType.GROUP, group);
    }
}
