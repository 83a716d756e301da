package dev.tributary.controlplane.acl;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** {@code tributary.acl.*}; documented in docs/configuration.md. */
@ConfigMapping(prefix = "tributary.acl")
public interface AclConfig {
    Cache cache();

    /** {@code tributary.acl.cache.*}: the per-tenant ACL cache of {@link dev.tributary.acl.AclAuthorizer}. */
    interface Cache {
        /**
         * Tenants whose ACLs a node keeps in memory (least recently used dropped first). Each holds one
         * store watch; 0 reads a tenant's ACLs from the store at every decision that needs them.
         */
        @WithDefault("1000")
        int maxTenants();
    }
}
