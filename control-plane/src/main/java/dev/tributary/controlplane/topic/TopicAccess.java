package dev.tributary.controlplane.topic;

import dev.tributary.acl.AclOperation;
import dev.tributary.acl.AclResourceType;
import dev.tributary.controlplane.acl.AclAccess;
import dev.tributary.controlplane.security.AccessRules;
import dev.tributary.controlplane.security.Caller;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.inject.Singleton;

/**
 * Who may do what with a tenant's topics over REST, by the tenant's ACLs (administrators of the
 * tenant and platform administrators may do everything): create needs CREATE on the topic or on
 * the tenant resource; get and list DESCRIBE (a list shows only the topics the caller may
 * describe); a config change ALTER_CONFIGS; adding partitions ALTER; delete DELETE. Checked before
 * anything is read: a caller of another tenant gets 403 FORBIDDEN whether the tenant or the topic
 * exists or not (no existence probing, and the same answer as the service-account API gives), and
 * nothing changes.
 */
@Singleton
public class TopicAccess {
    private final AclAccess acls;

    TopicAccess(AclAccess acls) {
        this.acls = acls;
    }

    /** The caller, if it may perform {@code operation} on topic {@code topic} of {@code tenant}; 403 FORBIDDEN otherwise. */
    public Caller require(SecurityIdentity identity, String tenant, AclOperation operation, String topic) {
        Caller caller = AccessRules.caller(identity);
        acls.require(caller, tenant, operation, AclResourceType.TOPIC, topic);
        return caller;
    }

    /**
     * The caller, if it belongs to {@code tenant} (or is a platform administrator): what a list or a
     * create needs before the request's body or the topics are looked at; 403 FORBIDDEN otherwise.
     */
    public Caller requireTenantPrincipal(SecurityIdentity identity, String tenant) {
        Caller caller = AccessRules.caller(identity);
        AclAccess.requireTenantPrincipal(caller, tenant);
        return caller;
    }

    /** Create: CREATE on the topic, or on the tenant resource (any topic); 403 FORBIDDEN naming the topic otherwise. */
    public void requireCreate(Caller caller, String tenant, String topic) {
        if (acls.allowed(caller, tenant, AclOperation.CREATE, AclResourceType.TENANT, tenant)) {
            return;
        }
        acls.require(caller, tenant, AclOperation.CREATE, AclResourceType.TOPIC, topic);
    }

    /** Whether a listing shows {@code topic} to {@code caller}. */
    public boolean mayDescribe(Caller caller, String tenant, String topic) {
        return acls.allowed(caller, tenant, AclOperation.DESCRIBE, AclResourceType.TOPIC, topic);
    }
}
