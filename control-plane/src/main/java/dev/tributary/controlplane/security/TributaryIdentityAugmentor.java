package dev.tributary.controlplane.security;

import dev.tributary.controlplane.identity.ServiceAccountService;
import dev.tributary.controlplane.identity.TokenIssuer;
import dev.tributary.controlplane.identitypool.IdentityPool;
import dev.tributary.controlplane.identitypool.IdentityPoolClaims;
import dev.tributary.controlplane.identitypool.IdentityPoolRegistry;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.SecurityIdentityAugmentor;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * Turns a verified token into a {@link Caller} (attribute {@link Caller#ATTRIBUTE}), for HTTP and
 * gRPC alike. Tributary's own claims ({@code tributary_tenant}, {@code tributary_roles}) are
 * trusted only in tokens of the built-in issuer: an external identity provider (an identity pool)
 * must never be able to make a principal platform administrator by writing a claim. A token that
 * an identity pool's quarkus-oidc tenant verified stands for a principal of the pool's tenant
 * ({@link IdentityPoolClaims}), and only while that pool, in that version, still has the token's
 * issuer. A token whose service account (or tenant) has been deleted is refused although its
 * signature is still valid.
 *
 * <p>The identity it makes is remembered in {@link VerifiedTokenCache} until the token expires;
 * {@link CachedTokenIdentityProvider} serves it to later requests with the same token, and it
 * comes back here already carrying its {@link Caller}, which is kept as it is.
 */
@ApplicationScoped
public class TributaryIdentityAugmentor implements SecurityIdentityAugmentor {
    /** The identity attribute where quarkus-oidc names the tenant (its config's tenant id) that verified the token. */
    static final String OIDC_TENANT_ATTRIBUTE = "tenant-id";
    private final TokenIssuer issuer;
    private final ServiceAccountService accounts;
    private final VerifiedTokenCache cache;
    private final IdentityPoolRegistry pools;

    TributaryIdentityAugmentor(TokenIssuer issuer, ServiceAccountService accounts, VerifiedTokenCache cache,
            IdentityPoolRegistry pools) {
        this.issuer = issuer;
        this.accounts = accounts;
        this.cache = cache;
        this.pools = pools;
    }

    @Override
    public Uni<SecurityIdentity> augment(SecurityIdentity identity, AuthenticationRequestContext context) {
        if (identity.isAnonymous() || !(identity.getPrincipal() instanceof JsonWebToken token)) {
            return Uni.createFrom().item(identity);
        }
        if (identity.getAttribute(Caller.ATTRIBUTE) != null) {
            // Made here earlier and served by CachedTokenIdentityProvider, which has checked it again.
            return Uni.createFrom().item(identity);
        }
        String oidcTenant = identity.getAttribute(OIDC_TENANT_ATTRIBUTE);
        if (oidcTenant != null && oidcTenant.startsWith(IdentityPool.OIDC_TENANT_PREFIX)) {
            return augmentPoolToken(identity, token, oidcTenant, context);
        }
        if (!issuer.issuer().equals(token.getIssuer())) {
            return Uni.createFrom().failure(new AuthenticationFailedException(new TokenRejectedException(
                    "tokens of issuer " + token.getIssuer() + " are not accepted")));
        }
        String subject = token.getSubject();
        // A store read: off the event loop.
        return context.runBlocking(() -> {
            // Read before the lookup: a delete after it must keep the result out of the cache.
            long generation = cache.generation();
            long confirmedAt = System.nanoTime();
            if (!accounts.exists(subject)) {
                throw new AuthenticationFailedException(new TokenRejectedException(principalGone(subject)));
            }
            Object tenantClaim = token.getClaim(TributaryClaims.TENANT);
            String tenant = tenantClaim == null ? null : tenantClaim.toString().replace("\"", "");
            Set<String> roles = new HashSet<>();
            Object rolesClaim = token.getClaim(TributaryClaims.ROLES);
            if (rolesClaim instanceof jakarta.json.JsonArray array) {
                array.getValuesAs(jakarta.json.JsonString.class).forEach(s -> roles.add(s.getString()));
            } else if (rolesClaim instanceof List<?> list) {
                list.forEach(r -> roles.add(String.valueOf(r)));
            }
            Caller caller = new Caller(subject, tenant, Set.copyOf(roles));
            SecurityIdentity augmented = QuarkusSecurityIdentity.builder(identity).addAttribute(Caller.ATTRIBUTE, caller).build();
            if (token.getRawToken() != null && token.getExpirationTime() > 0) {
                cache.put(token.getRawToken(), augmented, caller, token.getExpirationTime() * 1000, generation, confirmedAt);
            }
            return augmented;
        });
    }

    /**
     * A token verified by an identity pool's tenant: its caller, if the pool that verified it (the
     * tenant quarkus-oidc chose by its issuer) still has that issuer and its audience is still the
     * pool's (a change between choosing and now must not let it through).
     */
    private Uni<SecurityIdentity> augmentPoolToken(SecurityIdentity identity, JsonWebToken token, String oidcTenant,
            AuthenticationRequestContext context) {
        // Read before the lookup: a pool change after it must keep the result out of the cache.
        long generation = cache.generation();
        long confirmedAt = System.nanoTime();
        Optional<Optional<IdentityPool>> known = pools.cached(token.getIssuer());
        if (known.isPresent()) {
            return Uni.createFrom().item(() -> poolIdentity(identity, token, oidcTenant, known.get(), generation, confirmedAt));
        }
        // A store read: off the event loop.
        return context.runBlocking(
                () -> poolIdentity(identity, token, oidcTenant, pools.lookup(token.getIssuer()), generation, confirmedAt));
    }

    private SecurityIdentity poolIdentity(SecurityIdentity identity, JsonWebToken token, String oidcTenant,
            Optional<IdentityPool> found, long generation, long confirmedAt) {
        IdentityPool pool = found.orElse(null);
        if (pool == null || !pool.oidcTenantId().equals(oidcTenant)) {
            throw new AuthenticationFailedException(new TokenRejectedException(
                    "no identity pool accepts tokens of issuer " + token.getIssuer() + " any more"));
        }
        if (token.getAudience() == null || !token.getAudience().contains(pool.audience())) {
            throw new AuthenticationFailedException(new TokenRejectedException(
                    "the token is not for audience " + pool.audience() + " of identity pool '" + pool.name() + "'"));
        }
        Caller caller;
        try {
            caller = IdentityPoolClaims.caller(pool, token::getClaim);
        } catch (TokenRejectedException e) {
            throw new AuthenticationFailedException(e);
        }
        // The pool's roles only: whatever quarkus-oidc read from the token's own role claims is dropped.
        QuarkusSecurityIdentity.Builder builder = QuarkusSecurityIdentity.builder()
                .setPrincipal(identity.getPrincipal())
                .addCredentials(identity.getCredentials())
                .addAttributes(identity.getAttributes())
                .addRoles(caller.roles())
                .addAttribute(Caller.ATTRIBUTE, caller)
                .addAttribute(IdentityPool.Ref.ATTRIBUTE, pool.ref());
        SecurityIdentity augmented = builder.build();
        if (token.getRawToken() != null && token.getExpirationTime() > 0) {
            cache.put(token.getRawToken(), augmented, caller, token.getExpirationTime() * 1000, generation, confirmedAt);
        }
        return augmented;
    }

    static String principalGone(String subject) {
        return "the token's principal " + subject + " no longer exists";
    }

    /** Why a token that verified is still not acceptable (the cause of the authentication failure); reported as INVALID_TOKEN. */
    public static class TokenRejectedException extends RuntimeException {
        public TokenRejectedException(String message) {
            super(message);
        }
    }
}
