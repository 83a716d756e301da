package dev.tributary.controlplane.security;

import io.quarkus.security.identity.SecurityIdentity;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Bearer tokens that passed full verification (signature, {@code iss}, {@code aud}, {@code exp},
 * {@code sub}, and {@link TributaryIdentityAugmentor}'s checks), with the identity they produced,
 * so that a client sending the same token again is not verified again (an ES256 verification per
 * call was most of the server's CPU at low request sizes). See docs/security.md, "Verification".
 *
 * <ul>
 *   <li>Keyed by the SHA-256 of the exact token string: a token that differs in any character
 *       (tampered, re-encoded) never matches and goes through full verification.
 *   <li>An entry is never used at or after the token's {@code exp} (no grace), which is when full
 *       verification would start refusing it; the expired token then goes to the verifier, which
 *       answers TOKEN_EXPIRED as before.
 *   <li>Deletes on this node ({@link #invalidatePrincipal}, {@link #invalidateTenant}) drop the
 *       entries at once. Deletes on other nodes are seen when an entry is used after its principal
 *       was last confirmed more than {@code tributary.auth.token-cache.principal-recheck-interval}
 *       ago: the store is read again then, as full verification would.
 *   <li>Tokens of an identity pool: a change or delete of the pool on this node drops them at once
 *       ({@link #invalidatePool}); on other nodes, CachedTokenIdentityProvider compares the pool
 *       version each entry was verified with against the pool as the registry last read it.
 *   <li>Bounded: at most {@code tributary.auth.token-cache.max-entries}, least recently used
 *       dropped first; 0 disables the cache.
 * </ul>
 *
 * <p>Signing-key changes need no invalidation: a rotation keeps the retired key published until
 * every token it signed has expired, so a cached token's key is never withdrawn before its entry
 * dies with the token.
 */
@Singleton
public class VerifiedTokenCache {
    private final int maxEntries;
    private final long recheckNanos;
    private final LongSupplier wallClockMillis;
    private final LinkedHashMap<ByteBuffer, Entry> entries;
    /** Incremented by every invalidation: a verification that began before one must not be cached after it. */
    private final AtomicLong generation = new AtomicLong();
    private final AtomicLong hits = new AtomicLong();
    private final AtomicLong misses = new AtomicLong();
    private final AtomicLong rechecks = new AtomicLong();

    @Inject
    VerifiedTokenCache(AuthConfig config) {
        this(config.tokenCache().maxEntries(), config.tokenCache().principalRecheckInterval(), System::currentTimeMillis);
    }

    VerifiedTokenCache(int maxEntries, Duration recheckInterval, LongSupplier wallClockMillis) {
        if (maxEntries < 0) {
            throw new IllegalArgumentException("tributary.auth.token-cache.max-entries must be at least 0: " + maxEntries);
        }
        this.maxEntries = maxEntries;
        this.recheckNanos = recheckInterval.toNanos();
        this.wallClockMillis = wallClockMillis;
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<ByteBuffer, Entry> eldest) {
                return size() > VerifiedTokenCache.this.maxEntries;
            }
        };
    }

    /** A verified token's identity and what keeps it valid. */
    public static final class Entry {
        private final SecurityIdentity identity;
        private final Caller caller;
        private final long expiresAtMillis;
        private volatile long principalConfirmedAtNanos;

        Entry(SecurityIdentity identity, Caller caller, long expiresAtMillis, long principalConfirmedAtNanos) {
            this.identity = identity;
            this.caller = caller;
            this.expiresAtMillis = expiresAtMillis;
            this.principalConfirmedAtNanos = principalConfirmedAtNanos;
        }

        public SecurityIdentity identity() {
            return identity;
        }

        public Caller caller() {
            return caller;
        }
    }

    public boolean enabled() {
        return maxEntries > 0;
    }

    /** The current invalidation generation: read it before checking that the principal exists, pass it to {@link #put}. */
    public long generation() {
        return generation.get();
    }

    /**
     * The entry of {@code token} if it is cached and the token has not expired; null otherwise (the
     * token must be verified in full).
     */
    public Entry get(String token) {
        if (!enabled()) {
            return null;
        }
        ByteBuffer key = key(token);
        Entry entry;
        synchronized (entries) {
            entry = entries.get(key);
            if (entry != null && wallClockMillis.getAsLong() >= entry.expiresAtMillis) {
                entries.remove(key);
                entry = null;
            }
        }
        if (entry == null) {
            misses.incrementAndGet();
        } else {
            hits.incrementAndGet();
        }
        return entry;
    }

    /** Whether the entry's principal must be looked up in the store again before the entry is used. */
    public boolean needsPrincipalRecheck(Entry entry) {
        return System.nanoTime() - entry.principalConfirmedAtNanos >= recheckNanos;
    }

    /** The principal was found in the store at {@code confirmedAtNanos} ({@link System#nanoTime()}, read before the lookup). */
    public void principalConfirmed(Entry entry, long confirmedAtNanos) {
        rechecks.incrementAndGet();
        entry.principalConfirmedAtNanos = confirmedAtNanos;
    }

    /**
     * Remembers a fully verified token, unless an invalidation happened since {@code generation}
     * was read (the principal may have been deleted after it was found).
     *
     * @param expiresAtMillis the token's {@code exp}, in milliseconds since the epoch
     * @param confirmedAtNanos when the principal was found in the store ({@link System#nanoTime()}, read before the lookup)
     */
    public void put(String token, SecurityIdentity identity, Caller caller, long expiresAtMillis, long generation,
            long confirmedAtNanos) {
        if (!enabled() || wallClockMillis.getAsLong() >= expiresAtMillis) {
            return;
        }
        Entry entry = new Entry(identity, caller, expiresAtMillis, confirmedAtNanos);
        ByteBuffer key = key(token);
        synchronized (entries) {
            if (this.generation.get() == generation) {
                entries.put(key, entry);
            }
        }
    }

    /** Forgets every token of {@code principalId} (its service account was deleted). */
    public void invalidatePrincipal(String principalId) {
        invalidate(caller -> caller.principalId().equals(principalId));
    }

    /** Forgets every token of a principal of {@code tenant} (the tenant was deleted). */
    public void invalidateTenant(String tenant) {
        invalidate(caller -> Objects.equals(caller.tenant(), tenant));
    }

    /**
     * Forgets every token an identity pool of {@code tenant} named {@code poolName} verified (the
     * pool changed or was deleted): its principals are {@code poolName:value}, and service-account
     * ids never contain a colon.
     */
    public void invalidatePool(String tenant, String poolName) {
        String prefix = poolName + ":";
        invalidate(caller -> Objects.equals(caller.tenant(), tenant) && caller.principalId().startsWith(prefix));
    }

    private void invalidate(java.util.function.Predicate<Caller> matches) {
        synchronized (entries) {
            generation.incrementAndGet();
            entries.values().removeIf(entry -> matches.test(entry.caller));
        }
    }

    /** Lookups that found a valid entry (tests and diagnostics). */
    public long hits() {
        return hits.get();
    }

    /** Lookups that found nothing usable: the token was verified in full. */
    public long misses() {
        return misses.get();
    }

    /** Store lookups made to confirm that a cached entry's principal still exists. */
    public long principalRechecks() {
        return rechecks.get();
    }

    public int size() {
        synchronized (entries) {
            return entries.size();
        }
    }

    private static ByteBuffer key(String token) {
        try {
            return ByteBuffer.wrap(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
