package dev.tributary.dataplane;

import dev.tributary.dataplane.compaction.CompactionScheduler;
import dev.tributary.dataplane.fetch.FetchGrpcService;
import dev.tributary.dataplane.fetch.HighWatermarkWaiters;
import dev.tributary.dataplane.group.GroupGrpcService;
import dev.tributary.dataplane.node.LocalNode;
import dev.tributary.dataplane.ownership.LocalPod;
import dev.tributary.dataplane.produce.AppendCoalescer;
import dev.tributary.dataplane.produce.CallOrder;
import dev.tributary.dataplane.produce.ProduceGrpcService;
import dev.tributary.dataplane.quota.QuotaGate;
import dev.tributary.dataplane.quota.QuotaSetup;
import dev.tributary.dataplane.retention.RetentionScheduler;
import dev.tributary.dataplane.schema.SchemaValidation;
import dev.tributary.dataplane.security.CallerContext;
import dev.tributary.dataplane.security.DataPlaneAccess;
import dev.tributary.acl.AclAuthorizer;
import dev.tributary.group.GroupCoordinator;
import dev.tributary.log.PartitionLog;
import dev.tributary.quota.QuotaEnforcer;
import dev.tributary.schema.SchemaLookup;
import dev.tributary.schema.SchemaRegistry;
import dev.tributary.schema.SchemaRegistrySettings;
import dev.tributary.schema.provider.SchemaProviders;
import dev.tributary.storage.KeyValueStore;
import dev.tributary.topic.TopicStore;
import io.grpc.BindableService;
import java.time.Duration;
import java.util.List;

/**
 * One data-plane instance, composed by hand from plain parts: this node's pod of partition
 * ownership, its storage threads, append coalescer, shared high-watermark watches, retention and
 * compaction schedules, consumer-group coordinator, and the gRPC services over them. Nothing here
 * needs CDI, so the server application builds exactly one (its CDI beans only wire it in), and a
 * test can build several over one store, each behind its own listener, to act as separate pods.
 *
 * <p>Every instance is independent except for the store: it has its own pod registration, lease,
 * threads and coalescing queues. Two instances over one store therefore behave like two processes
 * over one FoundationDB cluster.
 *
 * <p>Lifecycle: {@link #start} once the node's endpoint can be known (the pod registers under it);
 * {@link #stop} when the node leaves gracefully (deregisters, so its partitions are free at once);
 * {@link #close} to release the threads afterwards; {@link #halt} to stop as a crash would, leaving
 * the registration to expire after a lease.
 */
public final class DataPlane implements AutoCloseable {
    private final LocalNode node;
    private final StorageExecutor executor;
    private final LocalPod pod;
    private final AppendCoalescer coalescer;
    private final HighWatermarkWaiters waiters;
    private final RetentionScheduler retention;
    private final CompactionScheduler compaction;
    private final GroupCoordinator groups;
    private final ProduceGrpcService produceService;
    private final FetchGrpcService fetchService;
    private final GroupGrpcService groupService;
    private final QuotaEnforcer quotas;
    private final AclAuthorizer acls;
    /** Whether {@link #acls} was made here (and is closed here) rather than shared with the application. */
    private boolean ownsAcls;

    /**
     * @param store the store every instance shares
     * @param topics the topic layer over {@code store} (stateless: may be shared with other users)
     * @param log the log layer over {@code store} (stateless: may be shared with other users)
     * @param node this instance's node id and advertised endpoint (the endpoint may become known
     *     only once its listener is bound, before {@link #start})
     * @param config {@code tributary.data-plane.*}
     * @param callers where the services find each call's verified caller
     * @param acls decides what each caller may do (shared with the REST API in the server, so one
     *     cache per tenant per node)
     * @param produceOrder when a Produce call takes its places in its partitions' append order: the
     *     transport's arrival order if it knows one, else {@link CallOrder#HANDLER_INVOCATION}
     * @param quotaSetup the tenants' limits and how this pod enforces them (its own rate budgets and stream counts)
     * @param schemas the schema registry's cache, for topics that validate records against subjects
     *     (shared with the registry in the server, so that its writes drop cached answers at once)
     */
    public DataPlane(KeyValueStore store, TopicStore topics, PartitionLog log, LocalNode node, DataPlaneConfig config,
            CallerContext callers, AclAuthorizer acls, CallOrder produceOrder, QuotaSetup quotaSetup, SchemaLookup schemas) {
        this.node = node;
        this.groups = groupCoordinator(store, config.groups().heartbeatInterval());
        this.pod = new LocalPod(store, node, config.ownership().lease());
        this.retention = new RetentionScheduler(store, pod, config.retention().checkInterval());
        this.compaction = new CompactionScheduler(store, pod, config.compaction().checkInterval(),
                config.compaction().maxMapEntries(), config.compaction().minDirtyRatio());
        this.executor = new StorageExecutor(config.storageThreads(), "tributary-data-plane-" + node.nodeId() + "-");
        this.coalescer = new AppendCoalescer(log, executor, pod);
        this.waiters = new HighWatermarkWaiters(log);
        this.quotas = new QuotaEnforcer(store, quotaSetup.limits(), quotaSetup.settings(), System::nanoTime, executor,
                quotaSetup.listener());
        QuotaGate quotaGate = new QuotaGate(quotas);
        this.acls = acls;
        DataPlaneAccess access = new DataPlaneAccess(callers, acls);
        this.produceService = new ProduceGrpcService(access, topics, coalescer, executor, produceOrder, quotaGate,
                new SchemaValidation(schemas));
        this.fetchService = new FetchGrpcService(access, topics, log, waiters, executor, node, pod, config.fetch().maxWait(),
                quotaGate);
        this.groupService = new GroupGrpcService(access, groups, topics, executor, quotaGate);
    }

    /**
     * With topic and log layers and an ACL authorizer of its own over {@code store} (its own ACL
     * cache, as a separate process would have); Produce calls take their places in the append
     * order when their handler is invoked ({@link CallOrder#HANDLER_INVOCATION}). Tenants' stored
     * quotas apply; tenants without one are unlimited ({@link QuotaSetup#storedLimitsOnly}). Schema
     * validation asks a registry cache of its own (as a separate process would have: registry writes
     * elsewhere are seen at once for new ids, after the cache's 30 seconds for deletes).
     */
    public DataPlane(KeyValueStore store, LocalNode node, DataPlaneConfig config, CallerContext callers) {
        this(store, new TopicStore(store), new PartitionLog(store), node, config, callers, new AclAuthorizer(store),
                CallOrder.HANDLER_INVOCATION, QuotaSetup.storedLimitsOnly(store), ownLookup(store));
        ownsAcls = true;
    }

    private static SchemaLookup ownLookup(KeyValueStore store) {
        // Validation only reads (subjectHasId), so the registry's write-side settings are its defaults.
        SchemaRegistry registry = new SchemaRegistry(store, SchemaProviders.defaults(), SchemaRegistrySettings.defaults());
        return new SchemaLookup(registry, 10_000, Duration.ofSeconds(30));
    }

    private static GroupCoordinator groupCoordinator(KeyValueStore store, Duration heartbeatInterval) {
        long interval = heartbeatInterval.toMillis();
        if (interval < 1 || interval >= GroupCoordinator.MIN_SESSION_TIMEOUT_MILLIS * 60L) {
            // A member told to wait longer than any plausible session timeout would always expire.
            throw new IllegalArgumentException("tributary.data-plane.groups.heartbeat-interval must be in [1ms, 60s], not "
                    + heartbeatInterval);
        }
        return new GroupCoordinator(store, System::currentTimeMillis, (int) interval);
    }

    /** Registers the pod and starts its lease renewal, balancing, retention and compaction. */
    public void start() {
        pod.start();
        retention.start();
        compaction.start();
    }

    /**
     * Leaves gracefully: no more retention, no more produce here, and the pod deregisters so that
     * other pods may take its partitions at once. Stop the listener from taking new calls first.
     */
    public void stop() {
        retention.stop();
        compaction.stop();
        pod.stop();
    }

    /** Releases the storage threads; work still queued is dropped. After {@link #stop} (or {@link #halt}). */
    @Override
    public void close() {
        executor.shutdown();
        if (ownsAcls) {
            acls.close();
        }
    }

    /**
     * Stops as a crash would: threads stop, nothing more is written, the registration stays until
     * another pod expires it after a lease. For failover tests and for a node that can no longer
     * trust its store.
     */
    public void halt() {
        retention.stop();
        compaction.stop();
        pod.halt();
        executor.shutdown();
        if (ownsAcls) {
            acls.close();
        }
    }

    /** The gRPC services of the data plane (Produce, Fetch, Group), for a listener to serve. */
    public List<BindableService> services() {
        return List.of(produceService, fetchService, groupService);
    }

    public LocalNode node() {
        return node;
    }

    public LocalPod pod() {
        return pod;
    }

    public StorageExecutor executor() {
        return executor;
    }

    public AppendCoalescer coalescer() {
        return coalescer;
    }

    public HighWatermarkWaiters waiters() {
        return waiters;
    }

    public RetentionScheduler retention() {
        return retention;
    }

    public CompactionScheduler compaction() {
        return compaction;
    }

    public GroupCoordinator groups() {
        return groups;
    }

    public ProduceGrpcService produceService() {
        return produceService;
    }

    public FetchGrpcService fetchService() {
        return fetchService;
    }

    public GroupGrpcService groupService() {
        return groupService;
    }

    /** This pod's quota enforcement: rate budgets, open streams and storage estimates per tenant. */
    public QuotaEnforcer quotas() {
        return quotas;
    }
}
