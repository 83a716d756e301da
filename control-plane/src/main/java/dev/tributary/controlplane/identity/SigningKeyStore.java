package dev.tributary.controlplane.identity;

import dev.tributary.controlplane.security.AuthConfig;
import dev.tributary.controlplane.storage.ControlPlaneKeys;
import dev.tributary.controlplane.storage.StoredJson;
import dev.tributary.storage.KeyValue;
import dev.tributary.storage.KeyValueStore;
import dev.tributary.storage.Transaction;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * The issuer's signing keys, kept in storage so that every pod signs with the same key and
 * publishes the same JWKS. The first use creates a key; {@link #rotate} makes a new one active and
 * keeps the previous public keys published until every token they signed has expired (retired at +
 * token lifetime + {@link #CLOCK_SKEW}), after which they are deleted.
 */
@Singleton
public class SigningKeyStore {
    /** Tolerance for verifiers whose clock runs behind. */
    static final Duration CLOCK_SKEW = Duration.ofMinutes(1);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final KeyValueStore store;
    private final Duration tokenLifetime;
    private final Clock clock;

    @Inject
    SigningKeyStore(KeyValueStore store, AuthConfig config) {
        this(store, config.tokenLifetime(), Clock.systemUTC());
    }

    /** Outside CDI (a verifier of another process): {@code tokenLifetime} as {@code tributary.auth.token-lifetime}. */
    public SigningKeyStore(KeyValueStore store, Duration tokenLifetime) {
        this(store, tokenLifetime, Clock.systemUTC());
    }

    SigningKeyStore(KeyValueStore store, Duration tokenLifetime, Clock clock) {
        this.store = store;
        this.tokenLifetime = tokenLifetime;
        this.clock = clock;
    }

    /** The key that signs new tokens, created on first use. */
    public SigningKey activeKey() {
        SigningKey existing = store.read(tx -> {
            byte[] kid = tx.get(ControlPlaneKeys.activeSigningKey()).join();
            return kid == null ? null : load(tx, new String(kid, StandardCharsets.UTF_8));
        });
        if (existing != null) {
            return existing;
        }
        SigningKey fresh = SigningKey.generate(newKid(), clock.instant()); // outside the body: it may run twice
        return store.run(tx -> {
            byte[] kid = tx.get(ControlPlaneKeys.activeSigningKey()).join();
            if (kid != null) {
                return load(tx, new String(kid, StandardCharsets.UTF_8)); // another pod was first
            }
            save(tx, fresh);
            tx.set(ControlPlaneKeys.activeSigningKey(), fresh.kid().getBytes(StandardCharsets.UTF_8));
            return fresh;
        });
    }

    /** Makes a new key active; the previous one stays published until its tokens have expired. Returns the new key. */
    public SigningKey rotate() {
        Instant now = clock.instant();
        SigningKey fresh = SigningKey.generate(newKid(), now);
        return store.run(tx -> {
            byte[] kid = tx.get(ControlPlaneKeys.activeSigningKey()).join();
            if (kid != null) {
                SigningKey previous = load(tx, new String(kid, StandardCharsets.UTF_8));
                if (previous != null) {
                    save(tx, previous.retire(now));
                }
            }
            for (SigningKey key : all(tx)) {
                if (!key.publishedAt(now, tokenLifetime.plus(CLOCK_SKEW))) {
                    tx.clear(ControlPlaneKeys.signingKey(key.kid()));
                }
            }
            save(tx, fresh);
            tx.set(ControlPlaneKeys.activeSigningKey(), fresh.kid().getBytes(StandardCharsets.UTF_8));
            return fresh;
        });
    }

    /** The keys whose public half belongs in the JWKS: the active one and those retired too recently for their tokens to have expired. */
    public List<SigningKey> publishedKeys() {
        Instant now = clock.instant();
        List<SigningKey> keys = store.read(SigningKeyStore::all);
        List<SigningKey> published = new ArrayList<>();
        for (SigningKey key : keys) {
            if (key.publishedAt(now, tokenLifetime.plus(CLOCK_SKEW))) {
                published.add(key);
            }
        }
        return published;
    }

    /**
     * The key {@code kid} if it is published (what {@link #publishedKeys} would list): one point
     * read, for verifiers that meet a key id they do not know yet.
     */
    public Optional<SigningKey> publishedKey(String kid) {
        Instant now = clock.instant();
        SigningKey key = store.read(tx -> load(tx, kid));
        return key != null && key.publishedAt(now, tokenLifetime.plus(CLOCK_SKEW)) ? Optional.of(key) : Optional.empty();
    }

    private static List<SigningKey> all(dev.tributary.storage.ReadTransaction tx) {
        List<SigningKey> keys = new ArrayList<>();
        for (KeyValue kv : tx.getRangeStartsWith(ControlPlaneKeys.signingKeys().pack()).join()) {
            keys.add(StoredJson.read(kv.value(), SigningKey.Stored.class).toKey());
        }
        return keys;
    }

    private static SigningKey load(dev.tributary.storage.ReadTransaction tx, String kid) {
        byte[] value = tx.get(ControlPlaneKeys.signingKey(kid)).join();
        return value == null ? null : StoredJson.read(value, SigningKey.Stored.class).toKey();
    }

    private static void save(Transaction tx, SigningKey key) {
        tx.set(ControlPlaneKeys.signingKey(key.kid()), StoredJson.write(key.toStored()));
    }

    private static String newKid() {
        byte[] id = new byte[8];
        RANDOM.nextBytes(id);
        return "es256-" + HexFormat.of().formatHex(id);
    }
}
