package dev.tributary.controlplane.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tributary.controlplane.identity.SigningKey;
import dev.tributary.controlplane.identity.SigningKeyStore;
import dev.tributary.controlplane.problem.ErrorCodes;
import dev.tributary.storage.KeyValueStore;
import dev.tributary.storage.StoreConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The verifier of listeners outside the server application, over a real embedded store with the
 * issuer's real signing keys: what it accepts, the caller it gives, and the code and words of every
 * refusal. (That these equal the server's own answers is checked end to end by the server's
 * PodAuthenticationTest.)
 */
class BearerTokenVerifierTest {
    private static final String ISSUER = "https://localhost:9443";
    private static final String GENERIC = "the bearer token is not valid here (bad signature, unknown issuer or key, wrong audience, or malformed)";

    @TempDir
    Path dir;

    private KeyValueStore store;
    private SigningKeyStore keys;
    private final Set<String> principals = ConcurrentHashMap.newKeySet();
    private BearerTokenVerifier verifier;

    @BeforeEach
    void open() {
        store = StoreConfig.embedded(dir.resolve("store")).open();
        keys = new SigningKeyStore(store, Duration.ofMinutes(15));
        principals.add("sa-member");
        principals.add("sa-admin");
        verifier = new BearerTokenVerifier(keys, ISSUER, principals::contains);
    }

    @AfterEach
    void close() {
        store.close();
    }

    private static JwtClaims claims(String subject, String tenant, List<String> roles) {
        JwtClaims claims = new JwtClaims();
        claims.setIssuer(ISSUER);
        claims.setAudience(TributaryClaims.AUDIENCE);
        claims.setSubject(subject);
        claims.setIssuedAtToNow();
        claims.setExpirationTime(NumericDate.fromSeconds(Instant.now().plusSeconds(600).getEpochSecond()));
        if (tenant != null) {
            claims.setClaim(TributaryClaims.TENANT, tenant);
        }
        claims.setStringListClaim(TributaryClaims.ROLES, roles);
        return claims;
    }

    private static String sign(JwtClaims claims, PrivateKey key, String kid) throws Exception {
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setKey(key);
        jws.setKeyIdHeaderValue(kid);
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256);
        return jws.getCompactSerialization();
    }

    private String signed(JwtClaims claims) throws Exception {
        SigningKey active = keys.activeKey();
        return sign(claims, active.privateKey(), active.kid());
    }

    private AuthenticationFailure refusal(String authorization) {
        return assertThrows(BearerTokenVerifier.Rejected.class, () -> verifier.verifyAuthorization(authorization)).failure();
    }

    @Test
    void aValidTokenGivesItsPrincipalTenantAndRoles() throws Exception {
        Caller admin = verifier.verifyAuthorization("Bearer " + signed(claims("sa-admin", "acme", List.of(Roles.TENANT_ADMIN))));
        assertEquals(new Caller("sa-admin", "acme", Set.of(Roles.TENANT_ADMIN)), admin);
        // The scheme is case-insensitive (RFC 7235); a member has no roles; a platform administrator no tenant.
        assertEquals(new Caller("sa-member", "acme", Set.of()),
                verifier.verifyAuthorization("bearer " + signed(claims("sa-member", "acme", List.of()))));
        Caller platform = verifier.verify(signed(claims("sa-admin", null, List.of(Roles.PLATFORM_ADMIN))));
        assertNull(platform.tenant());
        assertEquals(Set.of(Roles.PLATFORM_ADMIN), platform.roles());
    }

    @Test
    void withoutABearerTokenTheCallIsUnauthenticated() {
        AuthenticationFailure expected = AuthenticationFailure.missingToken();
        assertEquals(ErrorCodes.UNAUTHENTICATED, expected.code());
        assertEquals(expected, refusal(null));
        assertEquals(expected, refusal("Basic dXNlcjpwYXNz"));
        assertEquals(expected, refusal("Bearer "));
    }

    @Test
    void anExpiredTokenIsTokenExpiredAndNothingElse() throws Exception {
        JwtClaims claims = claims("sa-member", "acme", List.of());
        claims.setIssuedAt(NumericDate.fromSeconds(Instant.now().minusSeconds(3600).getEpochSecond()));
        claims.setExpirationTime(NumericDate.fromSeconds(Instant.now().minusSeconds(60).getEpochSecond()));
        assertEquals(new AuthenticationFailure(ErrorCodes.TOKEN_EXPIRED, "the bearer token has expired: get a new one from POST /oauth2/token"),
                refusal("Bearer " + signed(claims)));
        // Expired AND for another audience: not only the expiry is wrong, so it is invalid.
        claims.setAudience("someone-else");
        assertEquals(ErrorCodes.INVALID_TOKEN, refusal("Bearer " + signed(claims)).code());
    }

    @Test
    void everyOtherDefectIsInvalidTokenWithoutDetails() throws Exception {
        AuthenticationFailure invalid = new AuthenticationFailure(ErrorCodes.INVALID_TOKEN, GENERIC);
        JwtClaims otherIssuer = claims("sa-member", "acme", List.of());
        otherIssuer.setIssuer("https://evil.example");
        assertEquals(invalid, refusal("Bearer " + signed(otherIssuer)), "another issuer, signed by our key");
        JwtClaims otherAudience = claims("sa-member", "acme", List.of());
        otherAudience.setAudience("someone-else");
        assertEquals(invalid, refusal("Bearer " + signed(otherAudience)), "another audience");
        JwtClaims noSubject = claims("sa-member", "acme", List.of());
        noSubject.unsetClaim("sub");
        assertEquals(invalid, refusal("Bearer " + signed(noSubject)), "no subject");

        String good = signed(claims("sa-member", "acme", List.of()));
        String[] parts = good.split("\\.");
        String forged = Base64.getUrlEncoder().withoutPadding().encodeToString(
                claims("sa-admin", null, List.of(Roles.PLATFORM_ADMIN)).toJson().getBytes(StandardCharsets.UTF_8));
        assertEquals(invalid, refusal("Bearer " + parts[0] + "." + forged + "." + parts[2]), "payload swapped under the signature");
        String none = Base64.getUrlEncoder().withoutPadding().encodeToString("{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8));
        assertEquals(invalid, refusal("Bearer " + none + "." + parts[1] + "."), "unsigned");
        assertEquals(invalid, refusal("Bearer not-a-jwt"), "not a JWT");

        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        PrivateKey foreign = generator.generateKeyPair().getPrivate();
        JwtClaims claims = claims("sa-member", "acme", List.of());
        assertEquals(invalid, refusal("Bearer " + sign(claims, foreign, keys.activeKey().kid())), "a foreign key under our kid");
        assertEquals(invalid, refusal("Bearer " + sign(claims, foreign, "es256-0000000000000000")), "an unknown kid");
        assertEquals(invalid, refusal("Bearer " + sign(claims, foreign, "k".repeat(20_000))), "a kid too long to be a key's");
        assertEquals(invalid, refusal("Bearer " + sign(claims, keys.activeKey().privateKey(), null)), "no kid");
    }

    @Test
    void aDeletedPrincipalsTokenIsRefusedWithTheReason() throws Exception {
        String token = signed(claims("sa-member", "acme", List.of()));
        verifier.verify(token);
        principals.remove("sa-member");
        assertEquals(new AuthenticationFailure(ErrorCodes.INVALID_TOKEN,
                "the bearer token is not valid here: the token's principal sa-member no longer exists"), refusal("Bearer " + token));
    }

    @Test
    void aRotatedInKeyVerifiesAtOnceAndTheRetiredOneUntilItsTokensExpire() throws Exception {
        String before = signed(claims("sa-member", "acme", List.of()));
        verifier.verify(before); // the verifier now has the first key cached
        SigningKey rotated = keys.rotate();
        String after = sign(claims("sa-member", "acme", List.of()), rotated.privateKey(), rotated.kid());
        assertEquals("sa-member", verifier.verify(after).principalId(), "a key rotated in on another pod verifies at once");
        assertEquals("sa-member", verifier.verify(before).principalId(), "the retired key is still published");
    }
}
