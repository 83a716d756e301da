package dev.tributary.controlplane.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.tributary.storage.KeyValueStore;
import dev.tributary.storage.StoreConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Keys are created once, rotated, published while their tokens may live, then deleted. */
class SigningKeyStoreTest {
    @TempDir
    Path dir;

    private static Clock at(Instant t) {
        return Clock.fixed(t, ZoneOffset.UTC);
    }

    @Test
    void retiredKeysStayPublishedUntilTheirTokensHaveExpired() {
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        Duration lifetime = Duration.ofMinutes(15);
        try (KeyValueStore store = StoreConfig.embedded(dir.resolve("store")).open()) {
            SigningKey first = new SigningKeyStore(store, lifetime, at(t0)).activeKey();
            assertEquals(first.kid(), new SigningKeyStore(store, lifetime, at(t0)).activeKey().kid(), "created once");

            SigningKey second = new SigningKeyStore(store, lifetime, at(t0.plusSeconds(60))).rotate();
            assertNotEquals(first.kid(), second.kid());
            assertEquals(second.kid(), new SigningKeyStore(store, lifetime, at(t0.plusSeconds(61))).activeKey().kid());

            // Published while a token signed just before the rotation may be valid (+ clock skew) ...
            Instant stillValid = t0.plusSeconds(60).plus(lifetime);
            assertEquals(List.of(first.kid(), second.kid()).stream().sorted().toList(),
                    new SigningKeyStore(store, lifetime, at(stillValid)).publishedKeys().stream().map(SigningKey::kid).sorted().toList());
            // ... then no longer, and the next rotation deletes it.
            Instant later = stillValid.plus(SigningKeyStore.CLOCK_SKEW).plusSeconds(1);
            assertEquals(List.of(second.kid()),
                    new SigningKeyStore(store, lifetime, at(later)).publishedKeys().stream().map(SigningKey::kid).toList());
            SigningKey third = new SigningKeyStore(store, lifetime, at(later)).rotate();
            assertEquals(2, store.read(tx -> tx.getRangeStartsWith(
                    dev.tributary.controlplane.storage.ControlPlaneKeys.signingKeys().pack()).join()).size(),
                    "the first key is gone, the second retired, the third active: " + third.kid());
        }
    }
}
