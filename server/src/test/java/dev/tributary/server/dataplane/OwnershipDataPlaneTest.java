package dev.tributary.server.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.rpc.ErrorInfo;
import dev.tributary.api.v1.Acks;
import dev.tributary.api.v1.FetchRequest;
import dev.tributary.api.v1.FetchServiceGrpc;
import dev.tributary.api.v1.MetadataRequest;
import dev.tributary.api.v1.NodeEndpoint;
import dev.tributary.api.v1.PartitionBatches;
import dev.tributary.api.v1.PartitionFetch;
import dev.tributary.api.v1.ProduceRequest;
import dev.tributary.api.v1.ProduceServiceGrpc;
import dev.tributary.api.v1.TopicInfo;
import dev.tributary.dataplane.node.LocalNode;
import dev.tributary.ownership.OwnershipView;
import dev.tributary.ownership.PartitionOwner;
import dev.tributary.ownership.PartitionRef;
import dev.tributary.ownership.PodOwnership;
import dev.tributary.record.RecordBatch;
import dev.tributary.server.config.TributaryConfig;
import dev.tributary.server.testing.TestClient;
import dev.tributary.server.testing.TributaryTestServer;
import dev.tributary.storage.KeyValueStore;
import dev.tributary.topic.TopicMetadata;
import dev.tributary.topic.TopicStore;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The server as a data-plane pod: partitions are acquired by the first produce, tracked when topics
 * are created, reported by Metadata, and a partition owned by another pod is refused with NOT_OWNER
 * naming that pod. The other pod is simulated in the test over the server's own store: a second
 * {@link PodOwnership}, as another process would run it.
 *
 * <p>Topics the tests want untracked are created through {@link TopicStore} directly: the REST
 * API's create makes partitions known to the balancer, which would then claim them on its next
 * round and race with what the test sets up.
 */
@QuarkusTest
@WithTestResource(TributaryTestServer.class)
class OwnershipDataPlaneTest {
    @TestHTTPResource(value = "/", tls = true)
    URL root;
    @Inject
    TributaryConfig config;
    @Inject
    KeyValueStore store;
    @Inject
    TopicStore topics;
    @Inject
    LocalNode node;

    private TestClient client;
    private String admin;
    private ManagedChannel channel;

    @BeforeEach
    void connect() throws Exception {
        client = TestClient.forServer(root, config.dataDir());
        admin = client.adminToken(config.dataDir());
        channel = client.grpcChannel();
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    /** A new tenant with a member service account allowed to produce and consume; returns the member's token. */
    private String tenantMember(String tenant) throws Exception {
        return client.grantClientAcls(admin, tenant, client.tenantWithAccount(admin, tenant, "member"));
    }

    private static String newTenantId() {
        return TestClient.uniqueId("own");
    }

    private ProduceServiceGrpc.ProduceServiceBlockingStub producer(String token) {
        return ProduceServiceGrpc.newBlockingStub(channel).withCallCredentials(TestClient.bearer(token))
                .withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    private FetchServiceGrpc.FetchServiceBlockingStub fetcher(String token) {
        return FetchServiceGrpc.newBlockingStub(channel).withCallCredentials(TestClient.bearer(token))
                .withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    private static ProduceRequest produceRequest(String topic, int partition, String value) {
        byte[] batch = RecordBatch.builder().append(System.currentTimeMillis(), null, value.getBytes(StandardCharsets.UTF_8)).build();
        return ProduceRequest.newBuilder().setTopic(topic).setAcks(Acks.ACKS_DURABLE)
                .addPartitions(PartitionBatches.newBuilder().setPartition(partition).addBatches(ByteString.copyFrom(batch)))
                .build();
    }

    private long highWatermark(String token, String topic, int partition) {
        return fetcher(token).fetch(FetchRequest.newBuilder().setTopic(topic)
                .addPartitions(PartitionFetch.newBuilder().setPartition(partition).setOffset(0)).build())
                .getPartitions(0).getHighWatermark();
    }

    private TopicInfo metadata(String token, String topic) {
        return fetcher(token).metadata(MetadataRequest.newBuilder().addTopics(topic).build()).getTopics(0);
    }

    @Test
    void firstProduceAcquiresThePartitionAndMetadataNamesThisNode() throws Exception {
        String tenant = newTenantId();
        String token = tenantMember(tenant);
        TopicMetadata topic = topics.create(tenant, "lazy", 2, Map.of());
        OwnershipView view = new OwnershipView(store);
        PartitionRef p1 = new PartitionRef(tenant, topic.id(), 1);
        assertTrue(view.owner(p1).isEmpty(), "nobody owns a partition nobody produced to");

        assertEquals(0, producer(token).produce(produceRequest("lazy", 1, "a")).getPartitions(0).getBatches(0).getBaseOffset());

        PartitionOwner owner = view.owner(p1).orElseThrow();
        assertEquals(node.nodeId(), owner.podId());
        assertEquals(node.endpoint(), owner.endpoint());
        assertTrue(owner.leaderEpoch() >= 1, "acquiring raised the leader epoch: " + owner.leaderEpoch());
        // Later produces append under the same lease epoch.
        assertEquals(1, producer(token).produce(produceRequest("lazy", 1, "b")).getPartitions(0).getBatches(0).getBaseOffset());
        assertEquals(owner.leaderEpoch(), view.owner(p1).orElseThrow().leaderEpoch());

        NodeEndpoint self = NodeEndpoint.newBuilder().setNodeId(node.nodeId()).setEndpoint(node.endpoint()).build();
        TopicInfo info = metadata(token, "lazy");
        assertEquals(self, info.getPartitions(1).getOwner());
        // Unowned: reported as this node's, which acquires it on the first produce.
        assertEquals(self, info.getPartitions(0).getOwner());
    }

    @Test
    void topicsCreatedThroughTheApiAreTrackedAndClaimedUntilDeleted() throws Exception {
        String tenant = newTenantId();
        tenantMember(tenant);
        client.createTopic(admin, tenant, "tracked", 3, "{}");
        TopicMetadata topic = topics.get(tenant, "tracked");
        OwnershipView view = new OwnershipView(store);
        // The balancing round runs every lease/3 (10 s / 3 by default) and claims free tracked partitions.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (view.owners(tenant, topic.id()).size() < 3 && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        Map<Integer, PartitionOwner> owners = view.owners(tenant, topic.id());
        assertEquals(3, owners.size(), "every partition claimed: " + owners);
        owners.values().forEach(o -> assertEquals(node.nodeId(), o.podId()));

        assertEquals(204, client.delete("/v1/tenants/" + tenant + "/topics/tracked", admin).statusCode());
        assertEquals(Map.of(), view.owners(tenant, topic.id()), "untracked on delete");
    }

    @Test
    void producingToAPartitionOwnedByAnotherPodGetsNotOwnerAndWritesNothing() throws Exception {
        String tenant = newTenantId();
        String token = tenantMember(tenant);
        topics.create(tenant, "contested", 2, Map.of());
        TopicMetadata topic = topics.get(tenant, "contested");
        PartitionRef p0 = new PartitionRef(tenant, topic.id(), 0);
        String otherEndpoint = "https://other-pod.example:9443";
        // A lease far longer than the test, so the server never expires the simulated pod meanwhile.
        PodOwnership other = new PodOwnership(store, "simulated-" + UUID.randomUUID(), otherEndpoint, 120_000);
        other.register();
        try {
            long otherEpoch = other.acquire(p0);

            StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                    () -> producer(token).produce(produceRequest("contested", 0, "x")));
            assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode(), e.getStatus().toString());
            assertTrue(e.getStatus().getDescription().startsWith("NOT_OWNER:"), e.getStatus().getDescription());
            ErrorInfo info = StatusProto.fromThrowable(e).getDetails(0).unpack(ErrorInfo.class);
            assertEquals("NOT_OWNER", info.getReason());
            assertEquals(otherEndpoint, info.getMetadataMap().get("owner_endpoint"));
            assertEquals(other.podId(), info.getMetadataMap().get("owner_node_id"));
            assertEquals("0", info.getMetadataMap().get("partition"));
            assertEquals(0, highWatermark(token, "contested", 0), "nothing was written");
            assertEquals(otherEpoch, new OwnershipView(store).owner(p0).orElseThrow().leaderEpoch(), "the owner kept it");

            TopicInfo metadata = metadata(token, "contested");
            assertEquals(otherEndpoint, metadata.getPartitions(0).getOwner().getEndpoint());
            assertEquals(other.podId(), metadata.getPartitions(0).getOwner().getNodeId());
            // The other partition is free: this node takes it.
            assertEquals(0, producer(token).produce(produceRequest("contested", 1, "y")).getPartitions(0).getBatches(0).getBaseOffset());

            // Once the other pod is gone (shutdown deregisters), this node acquires the partition on the
            // next produce. Deregistering rather than releasing one partition also ends the server's
            // two-pod fair share, under which its balancer may hand partitions back meanwhile.
            other.deregister();
            assertEquals(0, producer(token).produce(produceRequest("contested", 0, "z")).getPartitions(0).getBatches(0).getBaseOffset());
            PartitionOwner now = new OwnershipView(store).owner(p0).orElseThrow();
            assertEquals(node.nodeId(), now.podId());
            assertTrue(now.leaderEpoch() > otherEpoch, "taking over raised the epoch");
        } finally {
            other.deregister();
        }
    }
}
