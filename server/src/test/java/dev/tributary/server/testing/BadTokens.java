package dev.tributary.server.testing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tributary.controlplane.identity.TokenIssuer;
import dev.tributary.controlplane.identity.TokenSubject;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;

/**
 * Every kind of bad token, made legitimately: the real issuer signs with its stored key and only the
 * claims are wrong (past expiry, other audience, other issuer), or the token is tampered with, or a
 * foreign key signs, or it is no JWT at all. Each names an existing principal, so that nothing but
 * the defect makes it fail.
 */
public final class BadTokens {
    private BadTokens() {}

    /** Bad tokens for platform administrator {@code principalId}, by kind. */
    public static Map<String, String> of(TokenIssuer issuer, String principalId) throws Exception {
        TokenSubject admin = new TokenSubject(principalId, null, Set.of("platform-admin"));
        Map<String, String> bad = new LinkedHashMap<>();
        bad.put("expired", issuer.issue(admin, Instant.now().minus(Duration.ofHours(1)), Duration.ofMinutes(15)).accessToken());
        String good = issuer.issue(admin).accessToken();
        String[] parts = good.split("\\.");
        // Tampered: the payload claims another subject, the signature is the original one.
        String otherPayload = Base64.getUrlEncoder().withoutPadding().encodeToString(
                TestClient.JSON.writeValueAsBytes(((ObjectNode) TestClient.claims(good)).put("sub", "sa-aaaaaaaaaaaaaaaaaaaa")));
        bad.put("tampered payload", parts[0] + "." + otherPayload + "." + parts[2]);
        char last = parts[2].charAt(5);
        bad.put("tampered signature", parts[0] + "." + parts[1] + "." + parts[2].substring(0, 5) + (last == 'A' ? 'B' : 'A') + parts[2].substring(6));
        bad.put("wrong audience", issuer.sign(claims(issuer.issuer(), "someone-else", principalId)));
        bad.put("unknown issuer (signed by our key)", issuer.sign(claims("https://evil.example", "tributary", principalId)));
        bad.put("foreign key with our kid", signWithForeignKey(claims(issuer.issuer(), "tributary", principalId),
                TestClient.header(good).get("kid").asText()));
        bad.put("not a JWT", "not-a-jwt");
        String unsignedHeader = Base64.getUrlEncoder().withoutPadding().encodeToString("{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8));
        bad.put("unsigned (alg none)", unsignedHeader + "." + parts[1] + ".");
        return bad;
    }

    /** The code a bad token of {@code kind} must be rejected with. */
    public static String expectedCode(String kind) {
        return kind.equals("expired") ? "TOKEN_EXPIRED" : "INVALID_TOKEN";
    }

    private static JwtClaims claims(String iss, String aud, String sub) {
        JwtClaims claims = new JwtClaims();
        claims.setIssuer(iss);
        claims.setAudience(aud);
        claims.setSubject(sub);
        claims.setIssuedAtToNow();
        claims.setExpirationTime(NumericDate.fromSeconds(Instant.now().plusSeconds(600).getEpochSecond()));
        claims.setStringListClaim("tributary_roles", List.of("platform-admin"));
        return claims;
    }

    private static String signWithForeignKey(JwtClaims claims, String kid) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setKey(generator.generateKeyPair().getPrivate());
        jws.setKeyIdHeaderValue(kid);
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256);
        return jws.getCompactSerialization();
    }
}
