package dev.tributary.controlplane.identitypool;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** {@code tributary.auth.identity-pools.*}; documented in docs/configuration.md. */
@ConfigMapping(prefix = "tributary.auth.identity-pools")
public interface IdentityPoolConfig {
    /**
     * How long this node trusts what it last read about an issuer (its pool, or that it has none)
     * before it reads the store again: the longest a pool created, changed or deleted on another
     * node takes to be seen here (a change on this node is seen at once).
     */
    @WithDefault("5s")
    Duration refreshInterval();
}
