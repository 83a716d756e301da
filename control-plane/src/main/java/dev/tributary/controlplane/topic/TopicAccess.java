package dev.tributary.controlplane.topic;

import dev.tributary.controlplane.problem.ProblemException;
import dev.tributary.controlplane.security.AccessRules;
import dev.tributary.controlplane.security.Caller;
import io.quarkus.security.identity.SecurityIdentity;

/**
 * Who may do what with a tenant's topics over REST: the one place ACLs will replace. Until then a
 * tenant's administrators (and platform administrators) create, alter and delete; every principal
 * of the tenant reads. Checked before anything is read: a caller of another tenant gets 403
 * FORBIDDEN whether the tenant or the topic exists or not (no existence probing, and the same
 * answer as the service-account API gives), and nothing changes.
 */
public final class TopicAccess {
    /** What a request does to topics. */
    public enum Operation {
        DESCRIBE, CREATE, ALTER, DELETE
    }

    private TopicAccess() {}

    public static Caller require(SecurityIdentity identity, String tenant, Operation operation) {
        Caller caller = AccessRules.caller(identity);
        if (caller.isPlatformAdmin()) {
            return caller;
        }
        if (caller.tenant() == null || !caller.tenant().equals(tenant)) {
            throw ProblemException.forbidden("principals of another tenant may not access tenant '" + tenant + "'");
        }
        if (operation != Operation.DESCRIBE && !caller.administers(tenant)) {
            throw ProblemException.forbidden("only administrators of tenant '" + tenant + "' may "
                    + operation.name().toLowerCase(java.util.Locale.ROOT) + " topics");
        }
        return caller;
    }
}
