package dev.tributary.client.admin;

import java.util.List;
import java.util.Objects;

/**
 * An identity pool: an external OIDC issuer whose tokens the tenant accepts. A token from {@code
 * issuer} for {@code audience} authenticates the principal {@code <name>:<value of principalClaim>}
 * of the pool's tenant, a tenant administrator if its {@code adminClaim} holds one of {@code
 * adminValues}, else a member.
 *
 * @param name the pool's id: {@code [a-z0-9][a-z0-9-]{0,62}}, the prefix of its principals
 * @param issuer the issuer URL (a token's {@code iss}); one pool per issuer in the whole cluster
 * @param audience the {@code aud} its tokens must carry
 * @param principalClaim the claim naming the principal (the server's default if null, {@code sub})
 * @param adminClaim the claim that makes a tenant administrator (a string or an array of strings); null: none does
 * @param adminValues the values of {@code adminClaim} that do
 * @param jwksUri where the issuer's keys are; null: from its discovery document
 * @param issuerCaPem PEM of the CA that issued the issuer's TLS certificate; null: the server's default trust
 * @param etag the version (from describe), for {@link IdentityPoolAdmin#replaceIdentityPool}'s {@code
 *     ifMatch}; null in listings and ignored when sent
 */
public record IdentityPool(String name, String issuer, String audience, String principalClaim, String adminClaim,
        List<String> adminValues, String jwksUri, String issuerCaPem, String etag) {
    public IdentityPool {
        Objects.requireNonNull(name, "name");
        adminValues = adminValues == null ? List.of() : List.copyOf(adminValues);
    }

    /** A pool whose principals are named by {@code sub} and none of whom is a tenant administrator. */
    public static IdentityPool of(String name, String issuer, String audience) {
        return new IdentityPool(name, issuer, audience, "sub", null, List.of(), null, null, null);
    }

    /** The same pool making tenant administrators of the principals whose {@code claim} holds one of {@code values}. */
    public IdentityPool withAdmins(String claim, List<String> values) {
        return new IdentityPool(name, issuer, audience, principalClaim, claim, values, jwksUri, issuerCaPem, etag);
    }

    public IdentityPool withPrincipalClaim(String claim) {
        return new IdentityPool(name, issuer, audience, claim, adminClaim, adminValues, jwksUri, issuerCaPem, etag);
    }

    public IdentityPool withJwksUri(String uri) {
        return new IdentityPool(name, issuer, audience, principalClaim, adminClaim, adminValues, uri, issuerCaPem, etag);
    }

    public IdentityPool withIssuerCaPem(String pem) {
        return new IdentityPool(name, issuer, audience, principalClaim, adminClaim, adminValues, jwksUri, pem, etag);
    }
}
