package dev.tributary.controlplane.identity;

import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;

/**
 * One token-signing key of the built-in issuer: ES256 (ECDSA on P-256 with SHA-256), small and
 * fast to verify. Stored (see {@link SigningKeyStore}) as PKCS#8 and X.509 SubjectPublicKeyInfo.
 *
 * @param kid key id, the JWT header's {@code kid} and the JWK's
 * @param createdAt when it was generated
 * @param retiredAt when a newer key replaced it for signing; null while it is the active key
 */
public record SigningKey(String kid, Instant createdAt, Instant retiredAt, PrivateKey privateKey, PublicKey publicKey) {
    public static final String ALGORITHM = "ES256";

    static SigningKey generate(String kid, Instant now) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair pair = generator.generateKeyPair();
            return new SigningKey(kid, now, null, pair.getPrivate(), pair.getPublic());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot generate a P-256 key", e);
        }
    }

    SigningKey retire(Instant when) {
        return new SigningKey(kid, createdAt, when, privateKey, publicKey);
    }

    /** Whether the key must still be published: tokens it signed may be unexpired until {@code retiredAt + lifetime}. */
    boolean publishedAt(Instant now, java.time.Duration maxTokenLifetime) {
        return retiredAt == null || now.isBefore(retiredAt.plus(maxTokenLifetime));
    }

    /** The stored form. */
    Stored toStored() {
        Base64.Encoder b64 = Base64.getEncoder();
        return new Stored(kid, ALGORITHM, createdAt.toString(), retiredAt == null ? null : retiredAt.toString(),
                b64.encodeToString(privateKey.getEncoded()), b64.encodeToString(publicKey.getEncoded()));
    }

    /** JSON stored under {@code ("c", "issuer", "key", kid)}. */
    record Stored(String kid, String alg, String createdAt, String retiredAt, String privateKey, String publicKey) {
        SigningKey toKey() {
            if (!ALGORITHM.equals(alg)) {
                throw new IllegalStateException("signing key " + kid + " has unsupported algorithm " + alg);
            }
            try {
                KeyFactory ec = KeyFactory.getInstance("EC");
                Base64.Decoder b64 = Base64.getDecoder();
                return new SigningKey(kid, Instant.parse(createdAt), retiredAt == null ? null : Instant.parse(retiredAt),
                        ec.generatePrivate(new PKCS8EncodedKeySpec(b64.decode(privateKey))),
                        ec.generatePublic(new X509EncodedKeySpec(b64.decode(publicKey))));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("signing key " + kid + " in storage is damaged", e);
            }
        }
    }
}
