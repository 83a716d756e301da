package dev.tributary.acl;

import dev.tributary.storage.KeyValueStore;
import dev.tributary.storage.StorageErrorCode;
import dev.tributary.storage.StorageException;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The one entry point for authorization decisions: {@link #authorize} answers whether a principal
 * may perform an operation on a named resource of a tenant, by {@link AclEvaluator}'s rules.
 *
 * <p><b>Cache.</b> Each node keeps, per tenant it has been asked about, that tenant's bindings in
 * memory ({@link AclRules}), loaded in one read transaction that also sets a watch on the tenant's
 * ACL version key ({@link AclStore#snapshot}). Every change to a tenant's ACLs, made through any
 * node, ADDs to that key in its own transaction, so the watch fires once the change has committed
 * and the cached copy is dropped; the next decision loads the bindings again. No polling, and no
 * window beyond the watch's delivery (on the embedded store: when the committing group is
 * published; on FoundationDB: the watch's notification latency, typically milliseconds). A watch
 * that fails (the store closing, too many watches) drops the copy as well, so the worst case is a
 * load per decision, never a stale answer. A change made through this node is also dropped at
 * once by {@link #invalidate}, so the node that answered the change never decides on the old ACLs
 * afterwards.
 *
 * <p>At most {@code maxCachedTenants} tenants are kept (each holds one store watch); beyond that
 * the least recently used one is dropped and its watch released. 0 keeps nothing and loads for
 * every decision that reaches the ACLs. Super users and other tenants' principals never load.
 *
 * <p>Thread-safe. Decisions that need a load read the store on the calling thread: call it where
 * blocking on storage is allowed.
 */
public final class AclAuthorizer implements AutoCloseable {
    /** Tenants cached by default. */
    public static final int DEFAULT_MAX_CACHED_TENANTS = 1_000;
    private static final System.Logger LOG = System.getLogger(AclAuthorizer.class.getName());
    /** A failing watch is reported at most this often: it fails again at every load while the cause lasts. */
    private static final long WARNING_INTERVAL_NANOS = 60_000_000_000L;

    private final AclStore store;
    private final int maxCachedTenants;
    private final Map<String, Entry> cache = new ConcurrentHashMap<>();
    private final AtomicLong loads = new AtomicLong();
    private final AtomicLong lastWarningNanos = new AtomicLong(System.nanoTime() - WARNING_INTERVAL_NANOS);
    private volatile boolean closed;

    /** A tenant's cached rules, valid until {@link #changed} completes. */
    private static final class Entry {
        final AclRules rules;
        final long version;
        final CompletableFuture<Void> changed;
        volatile long lastUsedNanos = System.nanoTime();

        Entry(AclRules rules, long version, CompletableFuture<Void> changed) {
            this.rules = rules;
            this.version = version;
            this.changed = changed;
        }
    }

    public AclAuthorizer(KeyValueStore store) {
        this(new AclStore(store), DEFAULT_MAX_CACHED_TENANTS);
    }

    public AclAuthorizer(AclStore store, int maxCachedTenants) {
        if (maxCachedTenants < 0) {
            throw new IllegalArgumentException("maxCachedTenants cannot be negative: " + maxCachedTenants);
        }
        this.store = store;
        this.maxCachedTenants = maxCachedTenants;
    }

    /**
     * May {@code principal} perform {@code operation} on the resource of {@code type} named {@code
     * name} in {@code tenant}? {@code operation} is a concrete one (not ALL).
     */
    public AclDecision authorize(AclPrincipal principal, String tenant, AclOperation operation, AclResourceType type, String name) {
        return AclEvaluator.evaluate(principal, tenant, operation, type, name, () -> rules(tenant));
    }

    /** Drops the cached copy of {@code tenant}'s ACLs (after a change made through this node). */
    public void invalidate(String tenant) {
        Entry e = cache.remove(tenant);
        if (e != null) {
            e.changed.cancel(false);
        }
    }

    /** Whether {@code tenant}'s ACLs are cached now (for tests and diagnostics). */
    public boolean isCached(String tenant) {
        Entry e = cache.get(tenant);
        return e != null && !e.changed.isDone();
    }

    /** How many times bindings were loaded from the store since this authorizer was made. */
    public long loads() {
        return loads.get();
    }

    /** Releases every watch; later decisions load without caching. */
    @Override
    public void close() {
        closed = true;
        for (String tenant : cache.keySet()) {
            invalidate(tenant);
        }
    }

    private AclRules rules(String tenant) {
        Entry cached = cache.get(tenant);
        if (cached != null && !cached.changed.isDone()) {
            cached.lastUsedNanos = System.nanoTime();
            return cached.rules;
        }
        loads.incrementAndGet();
        if (maxCachedTenants == 0 || closed) {
            return new AclRules(store.snapshot(tenant, false).bindings());
        }
        AclSnapshot snapshot = store.snapshot(tenant, true);
        Entry fresh = new Entry(new AclRules(snapshot.bindings()), snapshot.version(), snapshot.changed());
        fresh.changed.whenComplete((ignored, failure) -> {
            cache.remove(tenant, fresh);
            if (failure != null) {
                logWatchFailure(tenant, failure);
            }
        });
        Entry[] replaced = new Entry[1];
        Entry kept = cache.compute(tenant, (k, old) -> {
            // Two loads racing: keep the newer; an old copy whose watch fired is never kept.
            if (old != null && !old.changed.isDone() && old.version >= fresh.version) {
                return old;
            }
            replaced[0] = old;
            return fresh;
        });
        if (kept != fresh) {
            fresh.changed.cancel(false);
        } else {
            if (replaced[0] != null) {
                replaced[0].changed.cancel(false);
            }
            if (fresh.changed.isDone()) {
                // Changed between the read and the installation: the copy is stale already.
                cache.remove(tenant, fresh);
            }
            evictBeyondLimit();
        }
        // This decision uses what was just read either way: it is as recent as anything cached.
        return fresh.rules;
    }

    private void evictBeyondLimit() {
        while (cache.size() > maxCachedTenants) {
            String oldest = null;
            long oldestUse = Long.MAX_VALUE;
            for (Map.Entry<String, Entry> e : cache.entrySet()) {
                long used = e.getValue().lastUsedNanos;
                if (oldest == null || used - oldestUse < 0) {
                    oldest = e.getKey();
                    oldestUse = used;
                }
            }
            if (oldest == null) {
                return;
            }
            invalidate(oldest);
        }
    }

    private void logWatchFailure(String tenant, Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (cause instanceof CancellationException
                || (cause instanceof StorageException se && se.code() == StorageErrorCode.STORE_CLOSED)) {
            return; // released on purpose, or shutting down
        }
        long last = lastWarningNanos.get();
        long now = System.nanoTime();
        if (now - last < WARNING_INTERVAL_NANOS || !lastWarningNanos.compareAndSet(last, now)) {
            return;
        }
        LOG.log(System.Logger.Level.WARNING, "The watch on the ACLs of tenant ''{0}'' failed ({1}); they are read again"
                + " at each decision until a watch can be set", tenant, cause.toString());
    }
}
