package dev.tributary.controlplane.quota;

import dev.tributary.controlplane.security.Caller;
import dev.tributary.quota.QuotaEnforcer;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.ws.rs.Priorities;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Charges every REST call of a tenant's principal (control API and schema registry) to the
 * tenant's requests/s budget on this node, the same budget its data-plane calls draw from, so that
 * a tenant cannot slow the node down through the admin API either. A spent budget answers 429
 * THROTTLED with Retry-After (QuotaExceptionMapper) before the resource runs: nothing is read or
 * changed. Platform administrators belong to no tenant and are not charged; open paths (token
 * endpoint, discovery, health probes) have no caller.
 */
public class RestRequestQuota {
    @Inject
    SecurityIdentity identity;

    @Inject
    Instance<QuotaEnforcer> enforcer;

    // After authentication (the Caller is known) and before the resource method.
    @ServerRequestFilter(priority = Priorities.USER)
    public void charge() {
        Caller caller = identity.isAnonymous() ? null : identity.getAttribute(Caller.ATTRIBUTE);
        if (caller == null || caller.tenant() == null || !enforcer.isResolvable()) {
            return;
        }
        enforcer.get().admitRequest(caller.tenant());
    }
}
