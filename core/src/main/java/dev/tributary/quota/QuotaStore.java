package dev.tributary.quota;

import dev.tributary.storage.KeyValueStore;
import dev.tributary.storage.ReadTransaction;
import dev.tributary.topic.TopicCounts;
import dev.tributary.topic.TopicStore;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.LongSupplier;

/**
 * Tenants' limits in storage ({@link QuotaKeySpace}); a tenant without stored limits has the
 * configured defaults. Also the topic layer's {@link TopicStore.CountGuard}: it reads the tenant's
 * limits in the transaction that creates topics or partitions, so the count quotas hold whatever
 * runs concurrently (see {@link TopicStore}).
 *
 * <p>Hot paths (the data plane, per call) ask {@link #limits(String)}: the limits as last read,
 * read again once they are older than the cache interval, so a change made through another node
 * applies here within that interval; a change made through this instance applies at once.
 */
public final class QuotaStore implements TopicStore.CountGuard {
    /** A tenant's limits and whether they were set for it ({@code stored}) or are the defaults. */
    public record Current(TenantQuota limits, boolean stored) {}

    private record Cached(TenantQuota limits, long readAtNanos) {}

    private final KeyValueStore store;
    private final TenantQuota defaults;
    private final long cacheNanos;
    private final LongSupplier nanoClock;
    private final ConcurrentHashMap<String, Cached> cache = new ConcurrentHashMap<>();

    /**
     * @param defaults the limits of tenants that have none stored ({@code tributary.quota.defaults.*})
     * @param cacheInterval how long {@link #limits(String)} trusts what it read
     * @param nanoClock monotonic time in nanoseconds ({@code System::nanoTime}; tests inject their own)
     */
    public QuotaStore(KeyValueStore store, TenantQuota defaults, Duration cacheInterval, LongSupplier nanoClock) {
        if (cacheInterval.isNegative()) {
            throw new IllegalArgumentException("the quota cache interval cannot be negative: " + cacheInterval);
        }
        this.store = store;
        this.defaults = Objects.requireNonNull(defaults);
        this.cacheNanos = cacheInterval.toNanos();
        this.nanoClock = nanoClock;
    }

    /** With limits cached for 5 seconds. */
    public QuotaStore(KeyValueStore store, TenantQuota defaults) {
        this(store, defaults, Duration.ofSeconds(5), System::nanoTime);
    }

    public TenantQuota defaults() {
        return defaults;
    }

    /** The tenant's limits, read in {@code tx} with conflict. */
    public Current current(ReadTransaction tx, String tenant) {
        byte[] value = tx.get(QuotaKeySpace.limits(tenant)).join();
        return value == null ? new Current(defaults, false) : new Current(TenantQuota.decode(value), true);
    }

    /** The tenant's limits, read now. */
    public Current current(String tenant) {
        Current current = store.read(tx -> current(tx, tenant));
        remember(tenant, current.limits());
        return current;
    }

    /**
     * Sets the tenant's limits. {@code precondition} sees the transaction and the limits before the
     * change, inside the transaction, and may throw to refuse it (the tenant must exist; If-Match).
     */
    public Current put(String tenant, TenantQuota limits, BiConsumer<ReadTransaction, Current> precondition) {
        Objects.requireNonNull(limits);
        Current updated = store.run(tx -> {
            precondition.accept(tx, current(tx, tenant));
            tx.set(QuotaKeySpace.limits(tenant), limits.encode());
            return new Current(limits, true);
        });
        remember(tenant, limits);
        return updated;
    }

    /** Removes the tenant's limits: it has the defaults again. {@code precondition} as for {@link #put}. */
    public Current reset(String tenant, BiConsumer<ReadTransaction, Current> precondition) {
        Current updated = store.run(tx -> {
            precondition.accept(tx, current(tx, tenant));
            tx.clear(QuotaKeySpace.limits(tenant));
            return new Current(defaults, false);
        });
        remember(tenant, defaults);
        return updated;
    }

    /**
     * The tenant's limits for a hot path: as last read if that was within the cache interval, else
     * read now (a blocking point read: call it where blocking is allowed).
     */
    public TenantQuota limits(String tenant) {
        Cached cached = cache.get(tenant);
        long now = nanoClock.getAsLong();
        if (cached != null && now - cached.readAtNanos() < cacheNanos) {
            return cached.limits();
        }
        TenantQuota read = store.read(tx -> current(tx, tenant)).limits();
        cache.put(tenant, new Cached(read, now));
        return read;
    }

    /** The tenant's limits as last read, without reading anything; null if never read here. */
    public TenantQuota cachedLimits(String tenant) {
        Cached cached = cache.get(tenant);
        return cached == null ? null : cached.limits();
    }

    private void remember(String tenant, TenantQuota limits) {
        cache.put(tenant, new Cached(limits, nanoClock.getAsLong()));
    }

    /** The count quotas: refuses an increase past the tenant's topic or partition limit, read in {@code tx}. */
    @Override
    public void check(ReadTransaction tx, String tenant, TopicCounts before, TopicCounts after) {
        TenantQuota limits = current(tx, tenant).limits();
        Long topics = limits.topics();
        if (topics != null && after.topics() > before.topics() && after.topics() > topics) {
            throw new QuotaException(QuotaErrorCode.TOPIC_QUOTA_EXCEEDED, "tenant '" + tenant + "' may have at most " + topics
                    + " topic(s) and has " + before.topics() + ": delete a topic or ask a platform administrator for a higher quota");
        }
        Long partitions = limits.partitions();
        if (partitions != null && after.partitions() > before.partitions() && after.partitions() > partitions) {
            throw new QuotaException(QuotaErrorCode.PARTITION_QUOTA_EXCEEDED, "tenant '" + tenant + "' may have at most "
                    + partitions + " partition(s) over all its topics and has " + before.partitions() + "; this change needs "
                    + (after.partitions() - before.partitions()) + " more");
        }
    }
}
