package dev.tributary.controlplane.identitypool;

import com.apple.foundationdb.tuple.Tuple;
import dev.tributary.controlplane.storage.ControlPlaneKeys;
import dev.tributary.controlplane.storage.StoredJson;
import dev.tributary.storage.KeyValueStore;
import dev.tributary.storage.ReadTransaction;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Which identity pool, if any, an issuer belongs to: what every verifier asks about a token whose
 * {@code iss} is not the built-in issuer's. The answer is read from the store (the cluster-wide
 * issuer index, then the pool) and remembered for {@code tributary.auth.identity-pools.refresh-interval},
 * "no pool" included, so that a client sending the same token, or tokens with made-up issuers, costs
 * no store read per request. Writes on this node ({@link IdentityPoolService}) forget what they
 * change at once; a change on another node is seen here within the interval.
 *
 * <p>Bounded ({@link #MAX_ENTRIES}, least recently used dropped first). Thread-safe.
 */
@Singleton
public class IdentityPoolRegistry {
    /** Issuers remembered at most; a made-up issuer takes one entry until it is pushed out. */
    static final int MAX_ENTRIES = 4096;

    private final KeyValueStore store;
    private final long refreshNanos;
    private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
            return size() > MAX_ENTRIES;
        }
    };
    /** Incremented by every forget: a read that began before one must not be remembered after it. */
    private final AtomicLong generation = new AtomicLong();

    private record Entry(IdentityPool pool, long readAtNanos) {}

    @Inject
    IdentityPoolRegistry(KeyValueStore store, IdentityPoolConfig config) {
        this(store, config.refreshInterval());
    }

    public IdentityPoolRegistry(KeyValueStore store, Duration refreshInterval) {
        this.store = store;
        this.refreshNanos = refreshInterval.toNanos();
    }

    /**
     * What is remembered about {@code issuer}, if it is recent enough to answer without the store:
     * empty when the store must be read ({@link #lookup}); otherwise the pool, or an empty optional
     * for "no pool". Never blocks: for event-loop threads.
     */
    public Optional<Optional<IdentityPool>> cached(String issuer) {
        synchronized (entries) {
            Entry entry = entries.get(issuer);
            if (entry == null || System.nanoTime() - entry.readAtNanos() >= refreshNanos) {
                return Optional.empty();
            }
            return Optional.of(Optional.ofNullable(entry.pool()));
        }
    }

    /** The pool of {@code issuer}, if any; reads the store unless {@link #cached} has the answer: not on event loops. */
    public Optional<IdentityPool> lookup(String issuer) {
        Optional<Optional<IdentityPool>> cached = cached(issuer);
        if (cached.isPresent()) {
            return cached.get();
        }
        long before = generation.get();
        long readAt = System.nanoTime();
        IdentityPool pool = store.read(tx -> read(tx, issuer));
        synchronized (entries) {
            if (generation.get() == before) {
                entries.put(issuer, new Entry(pool, readAt));
            }
        }
        return Optional.ofNullable(pool);
    }

    /** The pool that {@code issuer}'s index entry names, read in {@code tx}; null if none. */
    static IdentityPool read(ReadTransaction tx, String issuer) {
        byte[] owner = tx.get(ControlPlaneKeys.identityPoolIssuer(issuer)).join();
        if (owner == null) {
            return null;
        }
        Tuple key = Tuple.fromBytes(owner);
        byte[] value = tx.get(ControlPlaneKeys.identityPool(key.getString(0), key.getString(1))).join();
        return value == null ? null : StoredJson.read(value, IdentityPool.class);
    }

    /** Forgets what is known about these issuers (their pool was written on this node). */
    public void forget(String... issuers) {
        synchronized (entries) {
            generation.incrementAndGet();
            for (String issuer : issuers) {
                if (issuer != null) {
                    entries.remove(issuer);
                }
            }
        }
    }

    /** Forgets every pool of {@code tenant} (the tenant was deleted on this node). */
    public void forgetTenant(String tenant) {
        synchronized (entries) {
            generation.incrementAndGet();
            entries.values().removeIf(entry -> entry.pool() != null && Objects.equals(entry.pool().tenant(), tenant));
        }
    }
}
