package dev.tributary.controlplane.security;

import dev.tributary.controlplane.identity.ServiceAccountService;
import dev.tributary.controlplane.identitypool.IdentityPool;
import dev.tributary.controlplane.identitypool.IdentityPoolRegistry;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.TokenAuthenticationRequest;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;

/**
 * Answers a bearer token from {@link VerifiedTokenCache} when that exact token was verified before
 * and has not expired, ahead of quarkus-oidc's identity provider (higher {@link #priority()}); any
 * other token gets no answer here (a null item), so quarkus-oidc verifies it in full and {@link
 * TributaryIdentityAugmentor} caches the result. A service account's token is used while its
 * account exists (looked up again after the recheck interval); an identity pool's, while its pool
 * is unchanged (as {@link IdentityPoolRegistry} last read it). Sits behind quarkus-oidc's bearer mechanism, so
 * REST and gRPC (same listener, same mechanism) both use it, and failures keep their answers.
 */
@ApplicationScoped
public class CachedTokenIdentityProvider implements IdentityProvider<TokenAuthenticationRequest> {
    /** Above the default priority of identity providers (quarkus-oidc's included), so asked first. */
    static final int PRIORITY = 2000;

    private final VerifiedTokenCache cache;
    private final ServiceAccountService accounts;
    private final IdentityPoolRegistry pools;

    CachedTokenIdentityProvider(VerifiedTokenCache cache, ServiceAccountService accounts, IdentityPoolRegistry pools) {
        this.cache = cache;
        this.accounts = accounts;
        this.pools = pools;
    }

    @Override
    public Class<TokenAuthenticationRequest> getRequestType() {
        return TokenAuthenticationRequest.class;
    }

    @Override
    public int priority() {
        return PRIORITY;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(TokenAuthenticationRequest request, AuthenticationRequestContext context) {
        if (!cache.enabled() || request.getToken() == null || request.getToken().getToken() == null) {
            return Uni.createFrom().nullItem();
        }
        VerifiedTokenCache.Entry entry = cache.get(request.getToken().getToken());
        if (entry == null) {
            return Uni.createFrom().nullItem();
        }
        IdentityPool.Ref pool = entry.identity().getAttribute(IdentityPool.Ref.ATTRIBUTE);
        if (pool != null) {
            Optional<Optional<IdentityPool>> known = pools.cached(pool.issuer());
            if (known.isPresent()) {
                return Uni.createFrom().item(poolChecked(entry, pool, known.get(), request, context));
            }
            // A store read: off the event loop.
            return context.runBlocking(() -> poolChecked(entry, pool, pools.lookup(pool.issuer()), request, context));
        }
        if (!cache.needsPrincipalRecheck(entry)) {
            return Uni.createFrom().item(forThisRequest(entry, request, context));
        }
        String principal = entry.caller().principalId();
        // A store read, as full verification would make: off the event loop.
        return context.runBlocking(() -> {
            long confirmedAt = System.nanoTime();
            if (!accounts.exists(principal)) {
                cache.invalidatePrincipal(principal);
                throw new AuthenticationFailedException(new TributaryIdentityAugmentor.TokenRejectedException(
                        TributaryIdentityAugmentor.principalGone(principal)));
            }
            cache.principalConfirmed(entry, confirmedAt);
            return forThisRequest(entry, request, context);
        });
    }

    /**
     * A remembered token of an identity pool is used while the pool that verified it is still
     * there in the same version; otherwise its pool's entries are dropped and the token goes to
     * full verification (null), which the pool as it now is accepts or refuses.
     */
    private SecurityIdentity poolChecked(VerifiedTokenCache.Entry entry, IdentityPool.Ref verifiedBy, Optional<IdentityPool> now,
            TokenAuthenticationRequest request, AuthenticationRequestContext context) {
        if (now.isPresent() && now.get().matches(verifiedBy)) {
            return forThisRequest(entry, request, context);
        }
        cache.invalidatePool(verifiedBy.tenant(), verifiedBy.name());
        return null;
    }

    /** The cached identity, with the per-request attributes quarkus-oidc sets pointing at this request rather than the first one. */
    private static SecurityIdentity forThisRequest(VerifiedTokenCache.Entry entry, TokenAuthenticationRequest request,
            AuthenticationRequestContext context) {
        SecurityIdentity cached = entry.identity();
        QuarkusSecurityIdentity.Builder builder = QuarkusSecurityIdentity.builder(cached);
        RoutingContext routingContext = HttpSecurityUtils.getRoutingContextAttribute(request);
        if (routingContext != null) {
            builder.addAttribute(HttpSecurityUtils.ROUTING_CONTEXT_ATTRIBUTE, routingContext);
        }
        if (cached.getAttribute(AuthenticationRequestContext.class.getName()) != null) {
            builder.addAttribute(AuthenticationRequestContext.class.getName(), context);
        }
        return builder.build();
    }
}
