package dev.tributary.dataplane.quarkus;

import dev.tributary.acl.AclAuthorizer;
import dev.tributary.controlplane.quota.QuotaBeans;
import dev.tributary.controlplane.quota.QuotaConfig;
import dev.tributary.controlplane.security.Caller;
import dev.tributary.controlplane.topic.TopicChanged;
import dev.tributary.dataplane.DataPlane;
import dev.tributary.dataplane.DataPlaneConfig;
import dev.tributary.dataplane.StorageExecutor;
import dev.tributary.dataplane.compaction.CompactionScheduler;
import dev.tributary.dataplane.fetch.HighWatermarkWaiters;
import dev.tributary.dataplane.node.LocalNode;
import dev.tributary.dataplane.ownership.LocalPod;
import dev.tributary.dataplane.produce.AppendCoalescer;
import dev.tributary.dataplane.quota.QuotaMetrics;
import dev.tributary.dataplane.quota.QuotaSetup;
import dev.tributary.dataplane.retention.RetentionScheduler;
import dev.tributary.group.GroupCoordinator;
import dev.tributary.log.PartitionLog;
import dev.tributary.quota.QuotaEnforcer;
import dev.tributary.quota.QuotaStore;
import dev.tributary.schema.SchemaLookup;
import dev.tributary.storage.KeyValueStore;
import dev.tributary.topic.TopicStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * The server application's one {@link DataPlane}, and its parts as beans for whoever injects them
 * (the gRPC bindings of this package, schedulers, tests). Only wiring: the data plane itself is
 * plain code. The caller of a call is the attribute quarkus-oidc's verified SecurityIdentity carries
 * ({@link Caller#ATTRIBUTE}); the identity bean is a proxy to the current request's identity.
 * Produce calls take their places in the append order in the order they arrived on their
 * connection ({@link ProduceArrivalOrder}).
 */
@Singleton
public class DataPlaneBeans {
    @Produces
    @Singleton
    DataPlane dataPlane(KeyValueStore store, TopicStore topics, PartitionLog log, LocalNode node, DataPlaneConfig config,
            SecurityIdentity identity, AclAuthorizer acls, ProduceArrivalOrder produceOrder, QuotaStore quotaLimits,
            QuotaConfig quotaConfig, MeterRegistry metrics, SchemaLookup schemas) {
        // The tenants' limits are the application's one QuotaStore (a change through the REST API applies here at once).
        QuotaSetup quotas = new QuotaSetup(quotaLimits, QuotaBeans.settings(quotaConfig), new QuotaMetrics(metrics));
        return new DataPlane(store, topics, log, node, config, () -> identity.getAttribute(Caller.ATTRIBUTE), acls, produceOrder,
                quotas, schemas);
    }

    /** The storage threads go last, after the container has no more use for them. */
    void close(@Disposes DataPlane dataPlane) {
        dataPlane.close();
    }

    void start(@Observes StartupEvent event, DataPlane dataPlane) {
        dataPlane.start();
    }

    /** Deregisters at shutdown, so that other pods may take this node's partitions at once instead of after a lease. */
    void stop(@Observes ShutdownEvent event, DataPlane dataPlane) {
        dataPlane.stop();
    }

    /** Topics created, grown or deleted through the REST API become known to (or forgotten by) partition balancing. */
    void onTopicChanged(@Observes TopicChanged change, DataPlane dataPlane) {
        dataPlane.pod().onTopicChanged(change);
    }

    @Produces
    @Singleton
    LocalPod localPod(DataPlane dataPlane) {
        return dataPlane.pod();
    }

    @Produces
    @Singleton
    StorageExecutor storageExecutor(DataPlane dataPlane) {
        return dataPlane.executor();
    }

    @Produces
    @Singleton
    AppendCoalescer appendCoalescer(DataPlane dataPlane) {
        return dataPlane.coalescer();
    }

    @Produces
    @Singleton
    HighWatermarkWaiters highWatermarkWaiters(DataPlane dataPlane) {
        return dataPlane.waiters();
    }

    @Produces
    @Singleton
    RetentionScheduler retentionScheduler(DataPlane dataPlane) {
        return dataPlane.retention();
    }

    @Produces
    @Singleton
    CompactionScheduler compactionScheduler(DataPlane dataPlane) {
        return dataPlane.compaction();
    }

    @Produces
    @Singleton
    GroupCoordinator groupCoordinator(DataPlane dataPlane) {
        return dataPlane.groups();
    }

    /** This node's quota enforcement (rates, streams, storage estimates): the usage the quota REST API reports. */
    @Produces
    @Singleton
    QuotaEnforcer quotaEnforcer(DataPlane dataPlane) {
        return dataPlane.quotas();
    }
}
