package dev.tributary.controlplane.security;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/** {@code tributary.auth.*}: the built-in issuer and the bootstrap administrator; documented in docs/configuration.md. */
@ConfigMapping(prefix = "tributary.auth")
public interface AuthConfig {

    /** Lifetime of access tokens issued by {@code POST /oauth2/token} ({@code expires_in}). */
    @WithDefault("15m")
    Duration tokenLifetime();

    /**
     * The {@code iss} of issued tokens and the base of the discovery document's URLs. Defaults to the
     * listener's endpoint ({@code https://localhost:PORT}); set it when clients reach the server
     * under another name (a load balancer).
     */
    Optional<String> issuer();

    /**
     * PBKDF2 iterations for new client-secret hashes. Secrets are 256-bit random values, so the
     * iteration count guards against nothing a brute force could achieve anyway; it is kept low so
     * that the token endpoint cannot be made to burn CPU (see docs/security.md).
     */
    @WithDefault("4096")
    int secretHashIterations();

    Bootstrap bootstrap();

    TokenCache tokenCache();

    /** {@code tributary.auth.token-cache.*}: verified bearer tokens remembered until they expire ({@link VerifiedTokenCache}). */
    interface TokenCache {
        /** How many verified tokens are remembered (least recently used dropped first); 0 verifies every token in full. */
        @WithDefault("4096")
        int maxEntries();

        /**
         * How long a remembered token's principal counts as existing before the store is read again:
         * the longest a token of an account (or tenant) deleted on another node keeps working there.
         */
        @WithDefault("5s")
        Duration principalRecheckInterval();
    }

    interface Bootstrap {
        /**
         * Give the bootstrap platform administrator and the default tenant's administrator new client
         * secrets at this start (and write them to {@code platform-admin.properties} and {@code
         * client.properties}): the way back in when the files are lost.
         */
        @WithDefault("false")
        boolean resetSecret();

        /**
         * The first start creates this tenant and an administrator of it ({@code default-admin},
         * role tenant-admin) whose credentials go into {@code client.properties}, so that a new
         * standalone server is usable at once. Created once: never recreated after a delete.
         */
        @WithDefault("default")
        String defaultTenant();

        /** Whether the first start creates the default tenant at all. */
        @WithDefault("true")
        boolean createDefaultTenant();
    }
}
