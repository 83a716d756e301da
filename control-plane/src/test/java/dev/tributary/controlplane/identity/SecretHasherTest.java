package dev.tributary.controlplane.identity;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SecretHasherTest {
    private final SecretHasher hasher = new SecretHasher(4096);

    @Test
    void verifiesOnlyTheRightSecretAndSaltsEveryHash() {
        String secret = SecretHasher.newSecret();
        String hash = hasher.hash(secret);
        assertTrue(hash.startsWith("pbkdf2-sha256$4096$"));
        assertFalse(hash.contains(secret));
        assertTrue(hasher.verify(secret, hash));
        assertFalse(hasher.verify(secret + "x", hash));
        assertNotEquals(hash, hasher.hash(secret), "salted: the same secret hashes differently");
        assertFalse(hasher.verifyNothing(secret));
        // A hash made with another iteration count stays verifiable.
        assertTrue(hasher.verify(secret, new SecretHasher(2000).hash(secret)));
    }

    /** The cost the default iteration count puts on each token request (printed: see docs/security.md). */
    @Test
    void oneVerificationCostsAFewMilliseconds() {
        String secret = SecretHasher.newSecret();
        String hash = hasher.hash(secret);
        for (int i = 0; i < 20; i++) {
            hasher.verify(secret, hash); // warm-up
        }
        int runs = 50;
        long start = System.nanoTime();
        for (int i = 0; i < runs; i++) {
            hasher.verify(secret, hash);
        }
        double millis = (System.nanoTime() - start) / 1e6 / runs;
        System.out.printf("PBKDF2-HMAC-SHA256, 4096 iterations: %.2f ms per verification%n", millis);
        assertTrue(millis < 50, millis + " ms");
    }
}
