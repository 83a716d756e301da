package dev.tributary.quota;

import dev.tributary.log.LogKeySpace;
import dev.tributary.log.PartitionAccess;
import dev.tributary.storage.KeyValueStore;
import dev.tributary.topic.TopicMetadata;
import dev.tributary.topic.TopicPage;
import dev.tributary.topic.TopicStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * What one data-plane pod enforces of its tenants' quotas, on its own traffic: the rate budgets
 * per tenant and kind ({@link RateLimiter}), the tenant's open streams on this pod, and its
 * storage use. Rate and stream quotas are therefore per pod (as Kafka's are per broker).
 *
 * <p><b>Storage use</b> is the sum of the tenant's partitions' retained-byte counters (the log's
 * {@code "z"} keys, which appends, retention and compaction keep exact). Summing them reads every
 * partition, so it is never done per request: the sum is kept per tenant, refreshed in the
 * background when it is older than the refresh interval, and the bytes this pod accepted since the
 * last sum are added to it. A produce is refused with STORAGE_QUOTA_EXCEEDED while that estimate is
 * at or above the limit; like the rates, the check is measure-then-refuse, so the limit can be
 * passed by one request, and by what other pods accept within one refresh interval.
 *
 * <p>Methods that may read limits ({@link QuotaStore#limits}, a point read when the cache is
 * stale) block; call them on storage threads, never on an event loop.
 */
public final class QuotaEnforcer {
    /** The rate quotas, with their names in metrics and logs. */
    public enum Rate {
        PRODUCE_BYTES("produce-bytes", QuotaLimit.PRODUCE_BYTES_PER_SECOND),
        FETCH_BYTES("fetch-bytes", QuotaLimit.FETCH_BYTES_PER_SECOND),
        REQUESTS("requests", QuotaLimit.REQUESTS_PER_SECOND);

        private final String label;
        private final QuotaLimit limit;

        Rate(String label, QuotaLimit limit) {
            this.label = label;
            this.limit = limit;
        }

        public String label() {
            return label;
        }

        public QuotaLimit limit() {
            return limit;
        }
    }

    /** Where refusals and new tenants are reported (metrics). Called on the thread that refused; keep it cheap. */
    public interface Listener {
        Listener NONE = new Listener() {};

        /** The first time this pod serves {@code tenant} (e.g. to register gauges of its {@link #usage}). */
        default void tenantSeen(QuotaEnforcer enforcer, String tenant) {}

        /** A request refused (or a delivery delayed) by a rate quota for {@code delayNanos}. */
        default void throttled(String tenant, Rate rate, long delayNanos) {}

        /** A request refused by a storage or connection quota. */
        default void refused(String tenant, QuotaErrorCode code) {}
    }

    /**
     * @param burst how much time's worth of each rate a full budget holds
     * @param meterWindow time constant of the measured rates (usage, metrics)
     * @param storageRefreshInterval how old the storage sum may get before it is summed again
     */
    public record Settings(Duration burst, Duration meterWindow, Duration storageRefreshInterval) {
        public static final Settings DEFAULT = new Settings(Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(10));

        public Settings {
            if (burst.compareTo(Duration.ofMillis(1)) < 0 || meterWindow.compareTo(Duration.ofMillis(1)) < 0
                    || storageRefreshInterval.compareTo(Duration.ofMillis(1)) < 0) {
                throw new IllegalArgumentException("quota burst, meter window and storage refresh interval must be at least 1 ms");
            }
        }
    }

    /** This pod's view of a tenant's use. */
    public record Usage(int connections, double produceBytesPerSecond, double fetchBytesPerSecond, double requestsPerSecond,
            long storageBytes) {}

    /** An open stream, counted against the connection quota until released (idempotent). */
    public static final class StreamPermit {
        private final AtomicInteger counter;
        private final AtomicBoolean released = new AtomicBoolean();

        private StreamPermit(AtomicInteger counter) {
            this.counter = counter;
        }

        public void release() {
            if (released.compareAndSet(false, true)) {
                counter.decrementAndGet();
            }
        }
    }

    private final class TenantState {
        final RateLimiter[] rates = new RateLimiter[Rate.values().length];
        final AtomicInteger streams = new AtomicInteger();
        /** Last sum of the partitions' counters and when it began (nanos); {@code summed} once there is one. */
        volatile long summedBytes;
        volatile long summedAt;
        volatile boolean summed;
        /** Bytes accepted by this pod since the last sum began. */
        final AtomicLong acceptedSince = new AtomicLong();
        final AtomicBoolean summing = new AtomicBoolean();

        TenantState() {
            for (Rate r : Rate.values()) {
                rates[r.ordinal()] = new RateLimiter(settings.burst().toNanos(), settings.meterWindow().toNanos());
            }
        }

        RateLimiter rate(Rate r) {
            return rates[r.ordinal()];
        }
    }

    /** Partition counters read per transaction when summing storage use. */
    static final int COUNTERS_PER_READ = 10_000;

    private final KeyValueStore store;
    private final TopicStore topics;
    private final QuotaStore limits;
    private final Settings settings;
    private final LongSupplier nanoClock;
    private final Executor background;
    private final Listener listener;
    private final ConcurrentHashMap<String, TenantState> tenants = new ConcurrentHashMap<>();

    /**
     * @param store where the partitions' byte counters are
     * @param limits the tenants' limits (cached)
     * @param nanoClock monotonic nanoseconds ({@code System::nanoTime}; tests inject their own)
     * @param background runs the storage sums (the data plane's storage threads)
     * @param listener told of refusals and new tenants (metrics)
     */
    public QuotaEnforcer(KeyValueStore store, QuotaStore limits, Settings settings, LongSupplier nanoClock, Executor background,
            Listener listener) {
        this.store = store;
        this.topics = new TopicStore(store);
        this.limits = limits;
        this.settings = Objects.requireNonNull(settings);
        this.nanoClock = nanoClock;
        this.background = background;
        this.listener = listener == null ? Listener.NONE : listener;
    }

    public QuotaStore limits() {
        return limits;
    }

    public Settings settings() {
        return settings;
    }

    private TenantState state(String tenant) {
        TenantState state = tenants.get(tenant);
        if (state == null) {
            TenantState created = new TenantState();
            state = tenants.putIfAbsent(tenant, created);
            if (state == null) {
                state = created;
                listener.tenantSeen(this, tenant);
            }
        }
        return state;
    }

    /** The tenants this pod has served. */
    public Set<String> tenants() {
        return Set.copyOf(tenants.keySet());
    }

    // ------------------------------------------------------------------ admission

    /**
     * Admits a produce request of {@code bytes} (its record batches as sent) or throws: THROTTLED
     * while the tenant's request or produce-byte budget is spent, STORAGE_QUOTA_EXCEEDED while its
     * storage use is at or above the limit. Admitted, it is charged to both budgets and to the
     * storage estimate.
     */
    public void admitProduce(String tenant, long bytes) {
        TenantQuota quota = limits.limits(tenant);
        TenantState state = state(tenant);
        // Check and charge as one step per tenant: two requests arriving together cannot both pass
        // on the same positive budget.
        synchronized (state) {
            long now = nanoClock.getAsLong();
            throttleIfSpent(tenant, state, quota, now, Rate.REQUESTS, Rate.PRODUCE_BYTES);
            Long storageLimit = quota.storageBytes();
            long stored = storageEstimate(tenant, state, storageLimit != null, now);
            if (storageLimit != null && stored >= storageLimit) {
                listener.refused(tenant, QuotaErrorCode.STORAGE_QUOTA_EXCEEDED);
                throw new QuotaException(QuotaErrorCode.STORAGE_QUOTA_EXCEEDED, "tenant '" + tenant + "' stores " + stored
                        + " bytes and its storage quota is " + storageLimit + ": delete data (retention, topics) or ask a"
                        + " platform administrator for a higher quota");
            }
            state.rate(Rate.REQUESTS).record(1, quota.requestsPerSecond(), now);
            state.rate(Rate.PRODUCE_BYTES).record(bytes, quota.produceBytesPerSecond(), now);
            state.acceptedSince.addAndGet(bytes);
        }
    }

    /**
     * Admits a fetch or throws THROTTLED while the tenant's request or fetch-byte budget is spent;
     * charges one request. The bytes it returns are charged afterwards ({@link #recordFetched}).
     */
    public void admitFetch(String tenant) {
        TenantQuota quota = limits.limits(tenant);
        TenantState state = state(tenant);
        synchronized (state) {
            long now = nanoClock.getAsLong();
            throttleIfSpent(tenant, state, quota, now, Rate.REQUESTS, Rate.FETCH_BYTES);
            state.rate(Rate.REQUESTS).record(1, quota.requestsPerSecond(), now);
        }
    }

    /** Admits any other data-plane call (offsets, metadata, consumer groups) or throws THROTTLED; charges one request. */
    public void admitRequest(String tenant) {
        TenantQuota quota = limits.limits(tenant);
        TenantState state = state(tenant);
        synchronized (state) {
            long now = nanoClock.getAsLong();
            throttleIfSpent(tenant, state, quota, now, Rate.REQUESTS);
            state.rate(Rate.REQUESTS).record(1, quota.requestsPerSecond(), now);
        }
    }

    /** Charges bytes already read for the tenant (a fetch answer, a subscription's delivery): never refuses. */
    public void recordFetched(String tenant, long bytes) {
        state(tenant).rate(Rate.FETCH_BYTES).record(bytes, limits.limits(tenant).fetchBytesPerSecond(), nanoClock.getAsLong());
    }

    /**
     * For a subscription, which is delayed rather than refused: nanoseconds until its next read may
     * go ahead (0: now). A positive answer counts as a throttle.
     */
    public long fetchDelayNanos(String tenant) {
        TenantQuota quota = limits.limits(tenant);
        long delay = state(tenant).rate(Rate.FETCH_BYTES).delayNanos(quota.fetchBytesPerSecond(), nanoClock.getAsLong());
        if (delay > 0) {
            listener.throttled(tenant, Rate.FETCH_BYTES, delay);
        }
        return delay;
    }

    private void throttleIfSpent(String tenant, TenantState state, TenantQuota quota, long now, Rate... kinds) {
        long delay = 0;
        Rate worst = null;
        for (Rate r : kinds) {
            long d = state.rate(r).delayNanos(quota.get(r.limit()), now);
            if (d > delay) {
                delay = d;
                worst = r;
            }
        }
        if (worst != null) {
            listener.throttled(tenant, worst, delay);
            Duration retryAfter = Duration.ofNanos(delay);
            throw new QuotaException(QuotaErrorCode.THROTTLED, "tenant '" + tenant + "' is over its " + worst.limit().jsonName()
                    + " quota of " + quota.get(worst.limit()) + " on this node: retry in " + retryAfter.toMillis() + " ms",
                    retryAfter);
        }
    }

    /**
     * Counts a new stream of the tenant on this pod, or throws CONNECTION_QUOTA_EXCEEDED if it has
     * as many open as its quota allows. Release the permit when the stream ends.
     */
    public StreamPermit openStream(String tenant) {
        Long limit = limits.limits(tenant).connections();
        AtomicInteger streams = state(tenant).streams;
        while (true) {
            int open = streams.get();
            if (limit != null && open >= limit) {
                listener.refused(tenant, QuotaErrorCode.CONNECTION_QUOTA_EXCEEDED);
                throw new QuotaException(QuotaErrorCode.CONNECTION_QUOTA_EXCEEDED, "tenant '" + tenant + "' has " + open
                        + " stream(s) open on this node and its connection quota is " + limit + ": close one first");
            }
            if (streams.compareAndSet(open, open + 1)) {
                return new StreamPermit(streams);
            }
        }
    }

    // ------------------------------------------------------------------ usage

    /** This pod's view of the tenant's use; storage as last estimated (0 if never), without reading anything. */
    public Usage usage(String tenant) {
        TenantState state = tenants.get(tenant);
        if (state == null) {
            return new Usage(0, 0, 0, 0, 0);
        }
        long now = nanoClock.getAsLong();
        return new Usage(state.streams.get(), state.rate(Rate.PRODUCE_BYTES).measuredRate(now),
                state.rate(Rate.FETCH_BYTES).measuredRate(now), state.rate(Rate.REQUESTS).measuredRate(now),
                state.summed ? state.summedBytes + state.acceptedSince.get() : 0);
    }

    /** The tenant's storage use summed now from its partitions' counters (and remembered as the estimate). */
    public long measureStorage(String tenant) {
        TenantState state = state(tenant);
        sumOnce(state, tenant);
        return state.summedBytes + state.acceptedSince.get();
    }

    private long storageEstimate(String tenant, TenantState state, boolean limited, long now) {
        if (!state.summed) {
            if (limited) {
                sumOnce(state, tenant); // the first check of a limited tenant waits for a real figure
            } else {
                sumInBackground(state, tenant);
                return state.acceptedSince.get();
            }
        } else if (now - state.summedAt >= settings.storageRefreshInterval().toNanos()) {
            sumInBackground(state, tenant);
        }
        return state.summedBytes + state.acceptedSince.get();
    }

    private void sumInBackground(TenantState state, String tenant) {
        if (!state.summing.compareAndSet(false, true)) {
            return;
        }
        try {
            background.execute(() -> {
                try {
                    sumOnce(state, tenant);
                } catch (RuntimeException e) {
                    // The next check tries again; meanwhile the last estimate stands.
                } finally {
                    state.summing.set(false);
                }
            });
        } catch (RejectedExecutionException e) {
            state.summing.set(false);
        }
    }

    private void sumOnce(TenantState state, String tenant) {
        long startedAt = nanoClock.getAsLong();
        // What this pod accepts while the sum runs may or may not be in it: keep it counted
        // (an estimate too high for one interval rather than too low).
        long acceptedBefore = state.acceptedSince.get();
        long total = storedBytes(tenant);
        synchronized (state) {
            state.acceptedSince.addAndGet(-acceptedBefore);
            state.summedBytes = total;
            state.summedAt = startedAt;
            state.summed = true;
        }
    }

    /**
     * Sum of the tenant's partitions' retained-byte counters: the topics page by page, their
     * counters in read transactions of at most {@link #COUNTERS_PER_READ} point reads issued
     * together. A topic deleted meanwhile reads as 0.
     */
    long storedBytes(String tenant) {
        long total = 0;
        String after = null;
        do {
            TopicPage page = topics.list(tenant, after, TopicStore.MAX_PAGE_SIZE);
            List<byte[]> keys = new ArrayList<>();
            for (TopicMetadata t : page.topics()) {
                for (int p = 0; p < t.partitions(); p++) {
                    keys.add(LogKeySpace.partition(tenant, t.id().toBytes(), p).retainedBytes());
                }
            }
            for (int from = 0; from < keys.size(); from += COUNTERS_PER_READ) {
                List<byte[]> chunk = keys.subList(from, Math.min(keys.size(), from + COUNTERS_PER_READ));
                total += store.read(tx -> {
                    List<CompletableFuture<byte[]>> reads = new ArrayList<>(chunk.size());
                    for (byte[] key : chunk) {
                        reads.add(tx.get(key));
                    }
                    long sum = 0;
                    for (CompletableFuture<byte[]> r : reads) {
                        sum += PartitionAccess.decodeLong(r.join(), 0);
                    }
                    return sum;
                });
            }
            after = page.nextAfter();
        } while (after != null);
        return total;
    }
}
