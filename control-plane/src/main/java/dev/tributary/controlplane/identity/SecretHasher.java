package dev.tributary.controlplane.identity;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Client secrets are generated here (256 random bits) and stored only as salted PBKDF2-HMAC-SHA256
 * hashes: {@code pbkdf2-sha256$ITERATIONS$SALT$HASH} (base64url). Verification compares in
 * constant time, and {@link #verifyNothing} spends the same work for unknown clients, so that
 * neither the answer nor its timing tells whether a client id exists.
 */
public final class SecretHasher {
    static final String SCHEME = "pbkdf2-sha256";
    private static final int SALT_BYTES = 16;
    private static final int HASH_BITS = 256;
    private static final int SECRET_BYTES = 32;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();

    private final int iterations;
    /** A hash no secret matches, verified against when the client id is unknown. */
    private final String decoy;

    public SecretHasher(int iterations) {
        if (iterations < 1000) {
            throw new IllegalArgumentException("tributary.auth.secret-hash-iterations must be at least 1000, was " + iterations);
        }
        this.iterations = iterations;
        this.decoy = hash(newSecret());
    }

    /** A new client secret: 256 random bits, base64url (43 characters). */
    public static String newSecret() {
        byte[] bytes = new byte[SECRET_BYTES];
        RANDOM.nextBytes(bytes);
        return B64.encodeToString(bytes);
    }

    public String hash(String secret) {
        byte[] salt = new byte[SALT_BYTES];
        RANDOM.nextBytes(salt);
        return SCHEME + "$" + iterations + "$" + B64.encodeToString(salt) + "$" + B64.encodeToString(derive(secret, salt, iterations));
    }

    /** Whether {@code secret} matches {@code stored}; the stored iteration count is used, so old hashes stay valid when it changes. */
    public boolean verify(String secret, String stored) {
        String[] parts = stored.split("\\$");
        if (parts.length != 4 || !SCHEME.equals(parts[0])) {
            throw new IllegalStateException("unknown client-secret hash scheme in storage");
        }
        byte[] expected = B64D.decode(parts[3]);
        byte[] actual = derive(secret, B64D.decode(parts[2]), Integer.parseInt(parts[1]));
        return MessageDigest.isEqual(expected, actual);
    }

    /** The work of one verification, for a client id that does not exist; always false. */
    public boolean verifyNothing(String secret) {
        verify(secret, decoy);
        return false;
    }

    private static byte[] derive(String secret, byte[] salt, int iterations) {
        char[] chars = secret.toCharArray();
        PBEKeySpec spec = new PBEKeySpec(chars, salt, iterations, HASH_BITS);
        try {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 is not available in this JDK", e);
        } finally {
            spec.clearPassword();
            java.util.Arrays.fill(chars, '\0');
        }
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
