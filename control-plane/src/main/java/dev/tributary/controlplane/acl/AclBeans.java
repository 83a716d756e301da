package dev.tributary.controlplane.acl;

import dev.tributary.acl.AclAuthorizer;
import dev.tributary.acl.AclStore;
import dev.tributary.storage.KeyValueStore;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * The ACL layer of core (plain classes) as beans: the store the REST API manages bindings with, and
 * the one {@link AclAuthorizer} of the application, shared by the REST API and the data plane so
 * that a node keeps one cache (and one watch) per tenant.
 */
@Singleton
public class AclBeans {
    @Produces
    @Singleton
    AclStore aclStore(KeyValueStore store) {
        return new AclStore(store);
    }

    @Produces
    @Singleton
    AclAuthorizer aclAuthorizer(AclStore acls, AclConfig config) {
        return new AclAuthorizer(acls, config.cache().maxTenants());
    }

    /** Releases the cache's watches before the store closes. */
    void close(@Disposes AclAuthorizer authorizer) {
        authorizer.close();
    }
}
