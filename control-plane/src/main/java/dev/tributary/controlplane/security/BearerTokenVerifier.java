package dev.tributary.controlplane.security;

import dev.tributary.controlplane.identity.SigningKey;
import dev.tributary.controlplane.identity.SigningKeyStore;
import dev.tributary.controlplane.identitypool.IdentityPool;
import dev.tributary.controlplane.identitypool.IdentityPoolClaims;
import dev.tributary.controlplane.identitypool.IssuerKeys;
import java.security.Key;
import java.security.PublicKey;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Predicate;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.MalformedClaimException;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.JwtConsumer;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.jwt.consumer.JwtContext;
import org.jose4j.lang.UnresolvableKeyException;

/**
 * Verifies the built-in issuer's access tokens without Quarkus, for listeners that run outside the
 * server application (a data-plane instance with a gRPC server of its own). It checks what the
 * server's quarkus-oidc tenant checks ({@link BuiltInIssuerTenantConfigResolver}) and then what
 * {@link TributaryIdentityAugmentor} checks, and answers with the same {@link AuthenticationFailure}s:
 *
 * <ul>
 *   <li>an ES256 signature by one of the issuer's published keys, chosen by {@code kid} (no other
 *       algorithm, so neither {@code none} nor a key confusion is possible);
 *   <li>{@code iss} the built-in issuer, {@code aud} {@value TributaryClaims#AUDIENCE}, a subject,
 *       and an {@code exp} that has not passed (no grace period: the server's OIDC tenant sets none);
 *   <li>the principal still exists (a deleted account's tokens die with it, before they expire).
 * </ul>
 *
 * <p>Tokens of a tenant's identity pools are accepted too when the verifier is given the pools
 * (the four-argument constructor): a token whose {@code iss} is not the built-in issuer's is
 * verified against the keys of the pool that has that issuer ({@link IssuerKeys}: its JWKS over
 * HTTPS with the pool's CA, refetched for an unknown {@code kid} at most every few seconds), with the
 * pool's issuer and audience and an asymmetric signature algorithm, and stands for a principal of
 * the pool's tenant ({@link IdentityPoolClaims}); an issuer no pool has is refused (INVALID_TOKEN).
 * A pool changed or deleted is seen as soon as the pool lookup sees it.
 *
 * <p>The keys are read from storage ({@link SigningKeyStore#publishedKey}: exactly what the JWKS
 * publishes, since the JWKS is made from them) rather than fetched over HTTPS, because an instance
 * that can reach the store needs no listener of the issuer. A key is read the first time a token
 * names it, so a key rotated in on another pod verifies at once, and cached for {@link
 * #KEY_CACHE_MAX_AGE_NANOS} (then read again, so a key that stops being published stops
 * verifying). An unknown key id is never cached: it costs one point read, as the principal check
 * does, so made-up key ids buy nothing. Tenant and roles come from the {@code tributary_*} claims,
 * trusted because only the built-in issuer's tokens are accepted.
 *
 * <p>Thread-safe; one per listener.
 */
public final class BearerTokenVerifier {
    /** A cached key is read again after 5 minutes. */
    static final long KEY_CACHE_MAX_AGE_NANOS = 300_000_000_000L;
    /** Key ids are short ({@code es256-} and 16 hex digits); a longer one is refused without a read. */
    static final int MAX_KID_LENGTH = 64;
    private static final String BEARER = "bearer ";

    /** What an identity pool's issuer may sign with: asymmetric algorithms only (no HMAC with a public key, no "none"). */
    static final String[] POOL_ALGORITHMS = {
            AlgorithmIdentifiers.RSA_USING_SHA256, AlgorithmIdentifiers.RSA_USING_SHA384, AlgorithmIdentifiers.RSA_USING_SHA512,
            AlgorithmIdentifiers.RSA_PSS_USING_SHA256, AlgorithmIdentifiers.RSA_PSS_USING_SHA384, AlgorithmIdentifiers.RSA_PSS_USING_SHA512,
            AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256, AlgorithmIdentifiers.ECDSA_USING_P384_CURVE_AND_SHA384,
            AlgorithmIdentifiers.ECDSA_USING_P521_CURVE_AND_SHA512, AlgorithmIdentifiers.EDDSA};
    /** Reads a token's claims without checking anything, only to choose who verifies it (jose4j's two-pass pattern). */
    private static final JwtConsumer FIRST_PASS = new JwtConsumerBuilder()
            .setSkipAllValidators().setDisableRequireSignature().setSkipSignatureVerification().build();

    private final SigningKeyStore keys;
    private final String issuer;
    private final Predicate<String> principalExists;
    private final Function<String, Optional<IdentityPool>> pools;
    private final JwtConsumer consumer;
    private final Map<String, CachedKey> keyCache = new ConcurrentHashMap<>();
    /** By issuer: the verifier made for the version of the pool that has it. */
    private final Map<String, PoolVerifier> poolVerifiers = new ConcurrentHashMap<>();

    private record CachedKey(PublicKey key, long readAtNanos) {}

    private record PoolVerifier(IdentityPool pool, JwtConsumer consumer) {}

    /**
     * @param keys the issuer's signing keys (in the store every pod shares)
     * @param issuer the {@code iss} tokens must carry: the built-in issuer's ({@code TokenIssuer.issuer()})
     * @param principalExists whether a token's subject still exists ({@code ServiceAccountService.exists})
     */
    public BearerTokenVerifier(SigningKeyStore keys, String issuer, Predicate<String> principalExists) {
        this(keys, issuer, principalExists, null);
    }

    /**
     * A verifier that also accepts the tokens of tenants' identity pools.
     *
     * @param pools the pool that has an issuer, if any ({@code IdentityPoolRegistry::lookup}); null: none accepted
     */
    public BearerTokenVerifier(SigningKeyStore keys, String issuer, Predicate<String> principalExists,
            Function<String, Optional<IdentityPool>> pools) {
        this.keys = keys;
        this.issuer = issuer;
        this.principalExists = principalExists;
        this.pools = pools;
        this.consumer = new JwtConsumerBuilder()
                .setRequireExpirationTime()
                .setRequireSubject()
                .setExpectedIssuer(issuer)
                .setExpectedAudience(TributaryClaims.AUDIENCE)
                .setJwsAlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT, AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256)
                .setVerificationKeyResolver((jws, nesting) -> publicKey(jws.getKeyIdHeaderValue()))
                .build();
    }

    /**
     * The caller of a request from its {@code authorization} header (null if absent). Reads the
     * store (the principal's existence, and a key not read lately): call it off event loops.
     *
     * @throws Rejected with the failure to answer: UNAUTHENTICATED without a bearer token,
     *     TOKEN_EXPIRED or INVALID_TOKEN otherwise
     */
    public Caller verifyAuthorization(String authorization) {
        if (authorization == null || authorization.length() <= BEARER.length()
                || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            throw new Rejected(AuthenticationFailure.missingToken());
        }
        return verify(authorization.substring(BEARER.length()).trim());
    }

    /** The caller a bearer token stands for; see {@link #verifyAuthorization}. */
    public Caller verify(String token) {
        JwtClaims claims;
        try {
            JwtContext context = FIRST_PASS.process(token);
            String tokenIssuer = context.getJwtClaims().getIssuer();
            if (pools != null && tokenIssuer != null && !tokenIssuer.equals(issuer)) {
                return verifyPoolToken(context, tokenIssuer);
            }
            consumer.processContext(context);
            claims = context.getJwtClaims();
        } catch (InvalidJwtException | MalformedClaimException e) {
            throw new Rejected(AuthenticationFailure.of(e));
        }
        try {
            String subject = claims.getSubject();
            if (!principalExists.test(subject)) {
                throw new Rejected(AuthenticationFailure.of(new TributaryIdentityAugmentor.TokenRejectedException(
                        "the token's principal " + subject + " no longer exists")));
            }
            String tenant = claims.hasClaim(TributaryClaims.TENANT) ? claims.getStringClaimValue(TributaryClaims.TENANT) : null;
            Set<String> roles = new HashSet<>();
            if (claims.hasClaim(TributaryClaims.ROLES)) {
                roles.addAll(claims.getStringListClaimValue(TributaryClaims.ROLES));
            }
            return new Caller(subject, tenant, Set.copyOf(roles));
        } catch (MalformedClaimException e) {
            // Signed by us, so this cannot happen unless the issuer is broken: refuse rather than guess.
            throw new Rejected(AuthenticationFailure.of(e));
        }
    }

    /** A token whose issuer is not the built-in one: verified by the identity pool that has that issuer, if one does. */
    private Caller verifyPoolToken(JwtContext context, String tokenIssuer) throws InvalidJwtException {
        Optional<IdentityPool> pool = pools.apply(tokenIssuer);
        if (pool.isEmpty()) {
            poolVerifiers.remove(tokenIssuer);
            throw new Rejected(AuthenticationFailure.of(new InvalidJwtException("no identity pool has issuer " + tokenIssuer,
                    List.of(), context)));
        }
        PoolVerifier verifier = poolVerifiers.compute(tokenIssuer, (iss, known) ->
                known != null && known.pool().version().equals(pool.get().version()) ? known : poolVerifier(pool.get()));
        verifier.consumer().processContext(context);
        try {
            return IdentityPoolClaims.caller(verifier.pool(), name -> context.getJwtClaims().getClaimValue(name));
        } catch (TributaryIdentityAugmentor.TokenRejectedException e) {
            throw new Rejected(AuthenticationFailure.of(e));
        }
    }

    private static PoolVerifier poolVerifier(IdentityPool pool) {
        return new PoolVerifier(pool, new JwtConsumerBuilder()
                .setRequireExpirationTime()
                .setExpectedIssuer(pool.issuer())
                .setExpectedAudience(pool.audience())
                .setJwsAlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT, POOL_ALGORITHMS)
                .setVerificationKeyResolver(new IssuerKeys(pool))
                .build());
    }

    private Key publicKey(String kid) throws UnresolvableKeyException {
        if (kid == null || kid.isEmpty() || kid.length() > MAX_KID_LENGTH) {
            throw new UnresolvableKeyException("the token names no usable key id (kid)");
        }
        long now = System.nanoTime();
        CachedKey cached = keyCache.get(kid);
        if (cached != null && now - cached.readAtNanos() < KEY_CACHE_MAX_AGE_NANOS) {
            return cached.key();
        }
        Optional<SigningKey> published = keys.publishedKey(kid);
        if (published.isEmpty()) {
            keyCache.remove(kid);
            throw new UnresolvableKeyException("no published signing key " + kid);
        }
        keyCache.put(kid, new CachedKey(published.get().publicKey(), now));
        return published.get().publicKey();
    }

    /** A request that is not authenticated, with what to answer. */
    public static final class Rejected extends RuntimeException {
        private final transient AuthenticationFailure failure;

        Rejected(AuthenticationFailure failure) {
            super(failure.grpcDescription(), null, false, false);
            this.failure = failure;
        }

        public AuthenticationFailure failure() {
            return failure;
        }
    }
}
