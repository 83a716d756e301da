package dev.tributary.controlplane.security;

import dev.tributary.controlplane.identity.ServiceAccountService;
import dev.tributary.controlplane.identity.TokenIssuer;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.SecurityIdentityAugmentor;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * Turns a verified token into a {@link Caller} (attribute {@link Caller#ATTRIBUTE}), for HTTP and
 * gRPC alike. Tributary's own claims ({@code tributary_tenant}, {@code tributary_roles}) are
 * trusted only in tokens of the built-in issuer: an external identity provider (identity pools,
 * next step) must never be able to make a principal platform administrator by writing a claim; its
 * principals will be bound to the pool's tenant here instead. A token whose service account (or
 * tenant) has been deleted is refused although its signature is still valid.
 *
 * <p>The identity it makes is remembered in {@link VerifiedTokenCache} until the token expires;
 * {@link CachedTokenIdentityProvider} serves it to later requests with the same token, and it
 * comes back here already carrying its {@link Caller}, which is kept as it is.
 */
@ApplicationScoped
public class TributaryIdentityAugmentor implements SecurityIdentityAugmentor {
    private final TokenIssuer issuer;
    private final ServiceAccountService accounts;
    private final VerifiedTokenCache cache;

    TributaryIdentityAugmentor(TokenIssuer issuer, ServiceAccountService accounts, VerifiedTokenCache cache) {
        this.issuer = issuer;
        this.accounts = accounts;
        this.cache = cache;
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
