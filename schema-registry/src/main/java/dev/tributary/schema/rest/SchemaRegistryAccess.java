package dev.tributary.schema.rest;

import dev.tributary.acl.AclDecision;
import dev.tributary.acl.AclOperation;
import dev.tributary.acl.AclResourceType;
import dev.tributary.controlplane.acl.AclAccess;
import dev.tributary.controlplane.problem.ProblemException;
import dev.tributary.controlplane.security.AccessRules;
import dev.tributary.controlplane.security.Caller;
import dev.tributary.schema.SchemaErrorCode;
import dev.tributary.schema.SchemaRegistryException;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.inject.Singleton;

/**
 * Who may do what in the schema registry. The registry is the caller's tenant's, taken from the
 * verified token and never from the request, so a principal only ever reaches its own tenant's
 * subjects and ids; principals of no tenant (platform administrators) are refused. Within the
 * tenant the tenant's ACLs on resource type {@code subject} decide (its administrators may do
 * everything): READ to read a subject, its versions, config and mode, to look a schema up or test
 * compatibility against it; WRITE to register; DELETE to delete versions and subjects;
 * ALTER_CONFIGS to change or remove the subject's compatibility level or mode. The tenant-wide
 * level and mode are changed with ALTER_CONFIGS on the {@code tenant} resource; any principal of
 * the tenant may read them and the supported types. Denials are 403 with error_code 40301, and
 * come before anything is read, except for schemas by id, which are shown to callers that may
 * read a subject registering them.
 */
@Singleton
public class SchemaRegistryAccess {
    private final AclAccess acls;

    SchemaRegistryAccess(AclAccess acls) {
        this.acls = acls;
    }

    /** The caller, if it is a principal of a tenant; FORBIDDEN otherwise. */
    public Caller tenantPrincipal(SecurityIdentity identity) {
        Caller caller;
        try {
            caller = AccessRules.caller(identity);
        } catch (ProblemException e) {
            throw forbidden(e.getMessage());
        }
        if (caller.tenant() == null) {
            throw forbidden("The schema registry is per tenant and " + (caller.isPlatformAdmin()
                    ? "platform administrators belong to no tenant" : "this principal belongs to none")
                    + ": use a token of one of the tenant's service accounts");
        }
        return caller;
    }

    /** The caller, if it may perform {@code operation} on {@code subject} of its tenant; FORBIDDEN otherwise. */
    public Caller require(SecurityIdentity identity, AclOperation operation, String subject) {
        Caller caller = tenantPrincipal(identity);
        AclDecision decision = acls.decide(caller, caller.tenant(), operation, AclResourceType.SUBJECT, subject == null ? "" : subject);
        if (!decision.allowed()) {
            throw forbidden(decision.reason());
        }
        return caller;
    }

    /** The caller, if it may change the tenant-wide compatibility level and mode (ALTER_CONFIGS on its tenant). */
    public Caller requireTenantConfig(SecurityIdentity identity) {
        Caller caller = tenantPrincipal(identity);
        AclDecision decision = acls.decide(caller, caller.tenant(), AclOperation.ALTER_CONFIGS, AclResourceType.TENANT, caller.tenant());
        if (!decision.allowed()) {
            throw forbidden(decision.reason());
        }
        return caller;
    }

    /** Whether {@code caller} may read {@code subject}: what lists are filtered by. */
    public boolean mayRead(Caller caller, String subject) {
        return acls.allowed(caller, caller.tenant(), AclOperation.READ, AclResourceType.SUBJECT, subject);
    }

    static SchemaRegistryException forbidden(String message) {
        return new SchemaRegistryException(SchemaErrorCode.FORBIDDEN, message);
    }
}
