package dev.tributary.controlplane.identity;

import dev.tributary.controlplane.security.AuthConfig;
import dev.tributary.controlplane.security.ListenerEndpoint;
import dev.tributary.controlplane.security.TributaryClaims;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwk.PublicJsonWebKey;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.jose4j.lang.JoseException;

/**
 * The built-in issuer: signs access tokens with the active key of {@link SigningKeyStore} and
 * publishes the public keys as a JWKS. It only signs; tokens are verified by quarkus-oidc against
 * the published JWKS, exactly like an external identity provider's.
 */
@Singleton
public class TokenIssuer {
    private final SigningKeyStore keys;
    private final AuthConfig config;
    private final ListenerEndpoint listener;

    TokenIssuer(SigningKeyStore keys, AuthConfig config, ListenerEndpoint listener) {
        this.keys = keys;
        this.config = config;
        this.listener = listener;
    }

    /** The {@code iss} of every token: {@code tributary.auth.issuer}, or the listener's endpoint. */
    public String issuer() {
        return config.issuer().map(TokenIssuer::withoutTrailingSlash).orElseGet(listener::url);
    }

    public Duration tokenLifetime() {
        return config.tokenLifetime();
    }

    /** A token valid from now for the configured lifetime. */
    public IssuedToken issue(TokenSubject subject) {
        return issue(subject, Instant.now(), config.tokenLifetime());
    }

    /** A token issued at {@code issuedAt}; tests use a past instant to obtain a genuinely expired token. */
    public IssuedToken issue(TokenSubject subject, Instant issuedAt, Duration lifetime) {
        Instant expiresAt = issuedAt.plus(lifetime);
        JwtClaims claims = new JwtClaims();
        claims.setIssuer(issuer());
        claims.setSubject(subject.principalId());
        claims.setAudience(TributaryClaims.AUDIENCE);
        claims.setIssuedAt(NumericDate.fromSeconds(issuedAt.getEpochSecond()));
        claims.setExpirationTime(NumericDate.fromSeconds(expiresAt.getEpochSecond()));
        claims.setJwtId(UUID.randomUUID().toString());
        if (subject.tenant() != null) {
            claims.setClaim(TributaryClaims.TENANT, subject.tenant());
        }
        claims.setStringListClaim(TributaryClaims.ROLES, new ArrayList<>(new java.util.TreeSet<>(subject.roles())));
        SigningKey key = keys.activeKey();
        return new IssuedToken(sign(claims, key), expiresAt, key.kid());
    }

    /** Signs arbitrary claims with the active key (ES256, {@code kid} and {@code typ: JWT} in the header). */
    public String sign(JwtClaims claims) {
        return sign(claims, keys.activeKey());
    }

    private static String sign(JwtClaims claims, SigningKey key) {
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setKey(key.privateKey());
        jws.setKeyIdHeaderValue(key.kid());
        jws.setHeader("typ", "JWT");
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256);
        try {
            return jws.getCompactSerialization();
        } catch (JoseException e) {
            throw new IllegalStateException("cannot sign a token: " + e.getMessage(), e);
        }
    }

    /** The JWKS document: the public half of every published key. */
    public String jwks() {
        List<JsonWebKey> jwks = new ArrayList<>();
        for (SigningKey key : keys.publishedKeys()) {
            try {
                PublicJsonWebKey jwk = PublicJsonWebKey.Factory.newPublicJwk(key.publicKey());
                jwk.setKeyId(key.kid());
                jwk.setAlgorithm(SigningKey.ALGORITHM);
                jwk.setUse("sig");
                jwks.add(jwk);
            } catch (JoseException e) {
                throw new IllegalStateException("cannot publish key " + key.kid() + ": " + e.getMessage(), e);
            }
        }
        return new JsonWebKeySet(jwks).toJson(JsonWebKey.OutputControlLevel.PUBLIC_ONLY);
    }

    private static String withoutTrailingSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
