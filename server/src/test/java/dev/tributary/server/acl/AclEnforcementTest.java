package dev.tributary.server.acl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import com.google.rpc.ErrorInfo;
import dev.tributary.api.v1.Acks;
import dev.tributary.api.v1.CommitOffsetsRequest;
import dev.tributary.api.v1.DeleteGroupRequest;
import dev.tributary.api.v1.DescribeGroupRequest;
import dev.tributary.api.v1.FetchRequest;
import dev.tributary.api.v1.FetchResponse;
import dev.tributary.api.v1.FetchServiceGrpc;
import dev.tributary.api.v1.GroupHeartbeatRequest;
import dev.tributary.api.v1.GroupHeartbeatResponse;
import dev.tributary.api.v1.GroupServiceGrpc;
import dev.tributary.api.v1.GroupSummary;
import dev.tributary.api.v1.ListGroupsRequest;
import dev.tributary.api.v1.ListOffsetsRequest;
import dev.tributary.api.v1.MetadataRequest;
import dev.tributary.api.v1.OffsetSpec;
import dev.tributary.api.v1.OffsetToCommit;
import dev.tributary.api.v1.PartitionBatches;
import dev.tributary.api.v1.PartitionFetch;
import dev.tributary.api.v1.PartitionOffsetQuery;
import dev.tributary.api.v1.ProduceRequest;
import dev.tributary.api.v1.ProduceServiceGrpc;
import dev.tributary.api.v1.SubscribeCredit;
import dev.tributary.api.v1.SubscribeRequest;
import dev.tributary.api.v1.SubscribeResponse;
import dev.tributary.api.v1.SubscribeStart;
import dev.tributary.api.v1.TopicInfo;
import dev.tributary.api.v1.TopicPartitions;
import dev.tributary.controlplane.identity.ServiceAccountService;
import dev.tributary.controlplane.identity.SigningKeyStore;
import dev.tributary.controlplane.identity.TokenIssuer;
import dev.tributary.controlplane.security.BearerTokenVerifier;
import dev.tributary.dataplane.listener.DataPlaneListener;
import dev.tributary.dataplane.node.LocalNode;
import dev.tributary.record.RecordBatch;
import dev.tributary.server.config.TributaryConfig;
import dev.tributary.server.testing.DataPlanePods;
import dev.tributary.server.testing.EndpointChannels;
import dev.tributary.server.testing.TestClient;
import dev.tributary.server.testing.TributaryTestServer;
import dev.tributary.storage.KeyValueStore;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.StreamObserver;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URL;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * ACLs enforced on every path, over the real TLS listener (REST and gRPC) and a second data-plane
 * pod with a cache of its own: a member without an ACL is refused each operation with the
 * operation and resource named and nothing written; each ACL allows exactly its operation (and
 * what it implies); prefixed names, deny over allow, the "*" principal; a revoked ACL is seen by
 * connections already open, on this node at once and on another pod within {@link #REVOCATION_BOUND_MILLIS};
 * an ACL of another tenant naming a principal grants it nothing.
 */
@QuarkusTest
@WithTestResource(TributaryTestServer.class)
class AclEnforcementTest {
    /**
     * How long another pod may keep deciding on revoked ACLs: its cache is dropped when the storage
     * watch on the tenant's ACL version fires (a few milliseconds on the embedded store); the bound
     * leaves room for a loaded two-core machine.
     */
    static final long REVOCATION_BOUND_MILLIS = 2_000;
    private static final Metadata.Key<String> ERROR_CODE = Metadata.Key.of("tributary-error-code", Metadata.ASCII_STRING_MARSHALLER);

    @TestHTTPResource(value = "/", tls = true)
    URL root;
    @Inject
    TributaryConfig config;
    @Inject
    KeyValueStore store;
    @Inject
    LocalNode server;
    @Inject
    TokenIssuer issuer;
    @Inject
    SigningKeyStore signingKeys;
    @Inject
    ServiceAccountService accounts;

    private TestClient client;
    private String admin;
    private EndpointChannels channels;
    private DataPlanePods pods;

    @BeforeEach
    void connect() throws Exception {
        client = TestClient.forServer(root, config.dataDir());
        admin = client.adminToken(config.dataDir());
        channels = new EndpointChannels(client.caFile());
    }

    @AfterEach
    void disconnect() throws Exception {
        if (pods != null) {
            pods.close();
        }
        channels.close();
    }

    // ------------------------------------------------------------------ helpers

    private String newTenant() throws Exception {
        String id = TestClient.uniqueId("acle");
        client.createTenant(admin, id);
        return id;
    }

    private String token(String tenant, String role) throws Exception {
        JsonNode account = client.createServiceAccount(admin, tenant, role + "-" + TestClient.uniqueId("a").substring(2), role);
        return client.token(account.get("clientId").asText(), account.get("clientSecret").asText());
    }

    private JsonNode acl(String tenant, String token, String operation, String type, String pattern, String name,
            String permission) throws Exception {
        return client.createAcl(admin, tenant, token == null ? "*" : TestClient.principalOf(token), operation, type, pattern, name,
                permission);
    }

    private JsonNode allow(String tenant, String token, String operation, String type, String name) throws Exception {
        return acl(tenant, token, operation, type, "literal", name, "allow");
    }

    private ProduceServiceGrpc.ProduceServiceBlockingStub producer(String endpoint, String token) {
        return ProduceServiceGrpc.newBlockingStub(channels.channel(endpoint)).withCallCredentials(TestClient.bearer(token))
                .withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    private FetchServiceGrpc.FetchServiceBlockingStub fetcher(String endpoint, String token) {
        return FetchServiceGrpc.newBlockingStub(channels.channel(endpoint)).withCallCredentials(TestClient.bearer(token))
                .withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    private GroupServiceGrpc.GroupServiceBlockingStub groups(String token) {
        return GroupServiceGrpc.newBlockingStub(channels.channel(server.endpoint())).withCallCredentials(TestClient.bearer(token))
                .withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    private void produce(String endpoint, String token, String topic, String value) {
        producer(endpoint, token).produce(produceRequest(topic, value));
    }

    private static ProduceRequest produceRequest(String topic, String value) {
        byte[] batch = RecordBatch.builder().append(System.currentTimeMillis(), null, value.getBytes(StandardCharsets.UTF_8)).build();
        return ProduceRequest.newBuilder().setTopic(topic).setAcks(Acks.ACKS_DURABLE)
                .addPartitions(PartitionBatches.newBuilder().setPartition(0).addBatches(ByteString.copyFrom(batch))).build();
    }

    private static FetchRequest fetchRequest(String topic) {
        return FetchRequest.newBuilder().setTopic(topic).addPartitions(PartitionFetch.newBuilder().setPartition(0).setOffset(0)).build();
    }

    private static ListOffsetsRequest listOffsets(String topic) {
        return ListOffsetsRequest.newBuilder().setTopic(topic)
                .addPartitions(PartitionOffsetQuery.newBuilder().setPartition(0).setSpec(OffsetSpec.OFFSET_SPEC_LATEST)).build();
    }

    private static GroupHeartbeatRequest join(String group, String... topics) {
        return GroupHeartbeatRequest.newBuilder().setGroupId(group).setMemberEpoch(0).addAllSubscribedTopics(List.of(topics))
                .setSessionTimeoutMs(30_000).build();
    }

    /** PERMISSION_DENIED with the code FORBIDDEN, the operation and the resource named in the description and the ErrorInfo. */
    private static void assertDenied(Runnable call, String operation, String type, String name) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call::run, operation + " " + type + " " + name);
        assertEquals(Status.Code.PERMISSION_DENIED, e.getStatus().getCode(), e.getStatus().toString());
        assertEquals("FORBIDDEN", e.getTrailers().get(ERROR_CODE));
        String description = e.getStatus().getDescription();
        assertTrue(description.startsWith("FORBIDDEN: principal "), description);
        assertTrue(description.contains(" may not " + operation + " " + type + " '" + name + "'"), description);
        try {
            ErrorInfo info = StatusProto.fromThrowable(e).getDetails(0).unpack(ErrorInfo.class);
            assertEquals("FORBIDDEN", info.getReason());
            assertEquals(Map.of("operation", operation, "resource_type", type, "resource_name", name), info.getMetadataMap());
        } catch (com.google.protobuf.InvalidProtocolBufferException ex) {
            throw new AssertionError(ex);
        }
    }

    private static void assertForbidden(HttpResponse<String> response, String operation, String name) throws Exception {
        assertEquals(403, response.statusCode(), response.body());
        assertEquals("FORBIDDEN", TestClient.json(response).get("code").asText(), response.body());
        String detail = TestClient.json(response).get("detail").asText();
        assertTrue(detail.contains(" may not " + operation + " topic '" + name + "'"), detail);
    }

    private HttpResponse<String> patch(String path, String token, String json) throws Exception {
        return client.send(client.request(path, token).header("content-type", "application/json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString(json)));
    }

    /** The topic as the platform administrator sees it (partitions, config, offsets); null if it does not exist. */
    private JsonNode topic(String tenant, String name) throws Exception {
        HttpResponse<String> got = client.get("/v1/tenants/" + tenant + "/topics/" + name, admin);
        return got.statusCode() == 404 ? null : TestClient.json(got);
    }

    private long highWatermark(String tenant, String name) throws Exception {
        return topic(tenant, name).get("partitionOffsets").get(0).get("highWatermark").asLong();
    }

    private static int records(FetchResponse response) {
        int n = 0;
        for (ByteString b : response.getPartitions(0).getBatchesList()) {
            n += RecordBatch.parse(b.toByteArray()).records().size();
        }
        return n;
    }

    private StreamObserver<SubscribeRequest> subscribe(String endpoint, String token, String topic, List<SubscribeResponse> received,
            CompletableFuture<Throwable> ended) {
        StreamObserver<SubscribeRequest> requests = FetchServiceGrpc.newStub(channels.channel(endpoint))
                .withCallCredentials(TestClient.bearer(token)).subscribe(new StreamObserver<>() {
                    @Override
                    public void onNext(SubscribeResponse value) {
                        received.add(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                        ended.complete(t);
                    }

                    @Override
                    public void onCompleted() {
                        ended.complete(null);
                    }
                });
        requests.onNext(SubscribeRequest.newBuilder().setStart(SubscribeStart.newBuilder().setTopic(topic).setOffset(0)
                .setCredit(SubscribeCredit.newBuilder().setBatches(1000).setBytes(Long.MAX_VALUE))).build());
        return requests;
    }

    private static void awaitSize(List<?> list, int size) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (list.size() < size && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(size, list.size());
    }

    // ------------------------------------------------------------------ tests

    @Test
    void aMemberWithoutAclsIsDeniedEverythingAndNothingIsWritten() throws Exception {
        String tenant = newTenant();
        String owner = token(tenant, "tenant-admin");
        String member = token(tenant, "member");
        String endpoint = server.endpoint();
        client.createTopic(admin, tenant, "orders", 2, "{\"retention.ms\":\"60000\"}");
        produce(endpoint, owner, "orders", "seed"); // tenant administrators need no ACL

        // gRPC: each call refused naming what it needed.
        assertDenied(() -> produce(endpoint, member, "orders", "x"), "write", "topic", "orders");
        assertDenied(() -> fetcher(endpoint, member).fetch(fetchRequest("orders")), "read", "topic", "orders");
        assertDenied(() -> fetcher(endpoint, member).listOffsets(listOffsets("orders")), "describe", "topic", "orders");
        assertDenied(() -> fetcher(endpoint, member).metadata(MetadataRequest.newBuilder().addTopics("orders").build()),
                "describe", "topic", "orders");
        assertDenied(() -> fetcher(endpoint, member).metadata(MetadataRequest.newBuilder().addTopics("no-such-topic").build()),
                "describe", "topic", "no-such-topic"); // no probing for existence
        assertEquals(0, fetcher(endpoint, member).metadata(MetadataRequest.getDefaultInstance()).getTopicsCount(),
                "a listing shows only what the caller may describe");
        List<SubscribeResponse> received = new CopyOnWriteArrayList<>();
        CompletableFuture<Throwable> ended = new CompletableFuture<>();
        subscribe(endpoint, member, "orders", received, ended);
        Throwable refused = ended.get(10, TimeUnit.SECONDS);
        assertEquals(Status.Code.PERMISSION_DENIED, Status.fromThrowable(refused).getCode(), String.valueOf(refused));
        assertEquals(List.of(), received);
        assertDenied(() -> groups(member).heartbeat(join("g1", "orders")), "read", "group", "g1");
        assertDenied(() -> groups(member).describeGroup(DescribeGroupRequest.newBuilder().setGroupId("g1").build()),
                "describe", "group", "g1");
        assertDenied(() -> groups(member).deleteGroup(DeleteGroupRequest.newBuilder().setGroupId("g1").build()),
                "delete", "group", "g1");
        assertEquals(0, groups(member).listGroups(ListGroupsRequest.getDefaultInstance()).getGroupsCount());
        assertEquals(1, highWatermark(tenant, "orders"), "nothing produced");
        assertEquals(0, groups(owner).listGroups(ListGroupsRequest.getDefaultInstance()).getGroupsCount(), "no group created");

        // REST: each topic operation refused naming what it needed, nothing changed.
        String topics = "/v1/tenants/" + tenant + "/topics";
        assertForbidden(client.get(topics + "/orders", member), "describe", "orders");
        assertForbidden(client.get(topics + "/no-such-topic", member), "describe", "no-such-topic");
        HttpResponse<String> listed = client.get(topics, member);
        assertEquals(200, listed.statusCode(), listed.body());
        assertEquals(0, TestClient.json(listed).get("items").size(), listed.body());
        assertForbidden(client.postJson(topics, member, "{\"name\":\"mine\",\"partitions\":1}"), "create", "mine");
        assertNull(topic(tenant, "mine"));
        assertForbidden(patch(topics + "/orders", member, "{\"set\":{\"retention.ms\":\"1\"}}"), "alter-configs", "orders");
        assertForbidden(client.postJson(topics + "/orders/partitions", member, "{\"count\":5}"), "alter", "orders");
        assertForbidden(client.delete(topics + "/orders", member), "delete", "orders");
        JsonNode unchanged = topic(tenant, "orders");
        assertEquals(2, unchanged.get("partitions").asInt());
        assertEquals("60000", unchanged.get("config").get("retention.ms").asText());
    }

    @Test
    void eachAclAllowsItsOperationAndWhatItImplies() throws Exception {
        String tenant = newTenant();
        String owner = token(tenant, "tenant-admin");
        String member = token(tenant, "member");
        String endpoint = server.endpoint();
        String topics = "/v1/tenants/" + tenant + "/topics";
        client.createTopic(admin, tenant, "orders", 1, "{}");
        client.createTopic(admin, tenant, "hidden", 1, "{}");

        allow(tenant, member, "write", "topic", "orders");
        produce(endpoint, member, "orders", "one");
        assertEquals(1, highWatermark(tenant, "orders"));
        assertDenied(() -> fetcher(endpoint, member).fetch(fetchRequest("orders")), "read", "topic", "orders");
        // write implies describe: Metadata, ListOffsets and REST reads.
        List<String> described = fetcher(endpoint, member).metadata(MetadataRequest.getDefaultInstance()).getTopicsList().stream()
                .map(TopicInfo::getName).toList();
        assertEquals(List.of("orders"), described, "hidden is not listed");
        assertEquals(1, fetcher(endpoint, member).listOffsets(listOffsets("orders")).getPartitions(0).getOffset());
        assertEquals(200, client.get(topics + "/orders", member).statusCode());
        JsonNode listed = TestClient.json(client.get(topics, member));
        assertEquals(1, listed.get("items").size(), listed.toString());
        assertEquals("orders", listed.get("items").get(0).get("name").asText());

        allow(tenant, member, "read", "topic", "orders");
        assertEquals(1, records(fetcher(endpoint, member).fetch(fetchRequest("orders"))));
        List<SubscribeResponse> received = new CopyOnWriteArrayList<>();
        StreamObserver<SubscribeRequest> stream = subscribe(endpoint, member, "orders", received, new CompletableFuture<>());
        awaitSize(received, 1);
        stream.onCompleted();

        // Creating: CREATE on the topic's name, or on the tenant resource for any name.
        allow(tenant, member, "create", "topic", "mine");
        assertEquals(201, client.postJson(topics, member, "{\"name\":\"mine\"}").statusCode());
        assertForbidden(client.postJson(topics, member, "{\"name\":\"other\"}"), "create", "other");
        allow(tenant, member, "create", "tenant", tenant);
        assertEquals(201, client.postJson(topics, member, "{\"name\":\"other\"}").statusCode());
        // Changing: ALTER_CONFIGS for the config, ALTER for partitions, DELETE to delete, each only its own.
        assertForbidden(patch(topics + "/mine", member, "{\"set\":{\"retention.ms\":\"1000\"}}"), "alter-configs", "mine");
        allow(tenant, member, "alter-configs", "topic", "mine");
        assertEquals(200, patch(topics + "/mine", member, "{\"set\":{\"retention.ms\":\"1000\"}}").statusCode());
        assertForbidden(client.postJson(topics + "/mine/partitions", member, "{\"count\":3}"), "alter", "mine");
        allow(tenant, member, "alter", "topic", "mine");
        assertEquals(200, client.postJson(topics + "/mine/partitions", member, "{\"count\":3}").statusCode());
        assertForbidden(client.delete(topics + "/mine", member), "delete", "mine");
        allow(tenant, member, "delete", "topic", "mine");
        assertEquals(204, client.delete(topics + "/mine", member).statusCode());

        // Groups: READ on the group to join (and DESCRIBE on the subscribed topics), READ on the topics to commit.
        assertDenied(() -> groups(member).heartbeat(join("g1", "orders")), "read", "group", "g1");
        allow(tenant, member, "read", "group", "g1");
        assertDenied(() -> groups(member).heartbeat(join("g1", "hidden")), "describe", "topic", "hidden");
        GroupHeartbeatResponse joined = groups(member).heartbeat(join("g1", "orders"));
        for (int i = 0; i < 5 && joined.getAssignmentCount() == 0; i++) {
            joined = groups(member).heartbeat(GroupHeartbeatRequest.newBuilder().setGroupId("g1").setMemberId(joined.getMemberId())
                    .setMemberEpoch(joined.getMemberEpoch()).build());
        }
        assertEquals(List.of(0), joined.getAssignmentList().stream().map(TopicPartitions::getPartitionsList).findFirst().orElseThrow());
        String memberId = joined.getMemberId();
        int epoch = joined.getMemberEpoch();
        CommitOffsetsRequest commit = CommitOffsetsRequest.newBuilder().setGroupId("g1").setMemberId(memberId).setMemberEpoch(epoch)
                .addOffsets(OffsetToCommit.newBuilder().setTopic("orders").setPartition(0).setOffset(1)).build();
        assertEquals(1, groups(member).commitOffsets(commit).getOffsetsCount());
        CommitOffsetsRequest elsewhere = CommitOffsetsRequest.newBuilder().setGroupId("g1").setMemberId(memberId).setMemberEpoch(epoch)
                .addOffsets(OffsetToCommit.newBuilder().setTopic("hidden").setPartition(0).setOffset(0)).build();
        assertDenied(() -> groups(member).commitOffsets(elsewhere), "read", "topic", "hidden");
        // read on the group implies describe; another group stays out of sight; DELETE is its own.
        assertEquals("g1", groups(member).describeGroup(DescribeGroupRequest.newBuilder().setGroupId("g1").build()).getGroupId());
        groups(owner).heartbeat(join("g-owner", "orders"));
        assertEquals(List.of("g1"), groups(member).listGroups(ListGroupsRequest.getDefaultInstance()).getGroupsList().stream()
                .map(GroupSummary::getGroupId).toList());
        assertEquals(2, groups(owner).listGroups(ListGroupsRequest.getDefaultInstance()).getGroupsCount());
        assertDenied(() -> groups(member).deleteGroup(DeleteGroupRequest.newBuilder().setGroupId("g1").build()), "delete", "group", "g1");
    }

    @Test
    void prefixedNamesDenyOverAllowAndTheAnyPrincipal() throws Exception {
        String tenant = newTenant();
        String owner = token(tenant, "tenant-admin");
        String alice = token(tenant, "member");
        String bob = token(tenant, "member");
        String endpoint = server.endpoint();
        for (String t : List.of("logs.app", "logs.db", "logsx", "public")) {
            client.createTopic(admin, tenant, t, 1, "{}");
            produce(endpoint, owner, t, "seed");
        }

        acl(tenant, alice, "read", "topic", "prefixed", "logs.", "allow");
        assertEquals(1, records(fetcher(endpoint, alice).fetch(fetchRequest("logs.app"))));
        assertEquals(1, records(fetcher(endpoint, alice).fetch(fetchRequest("logs.db"))));
        assertDenied(() -> fetcher(endpoint, alice).fetch(fetchRequest("logsx")), "read", "topic", "logsx");
        assertDenied(() -> fetcher(endpoint, bob).fetch(fetchRequest("logs.app")), "read", "topic", "logs.app");

        // A deny beats the allow, whichever is more specific.
        acl(tenant, alice, "read", "topic", "literal", "logs.db", "deny");
        assertDenied(() -> fetcher(endpoint, alice).fetch(fetchRequest("logs.db")), "read", "topic", "logs.db");
        assertEquals(1, records(fetcher(endpoint, alice).fetch(fetchRequest("logs.app"))));

        // "*": every principal of the tenant, including those with no ACL of their own.
        acl(tenant, null, "write", "topic", "literal", "public", "allow");
        produce(endpoint, bob, "public", "by bob");
        produce(endpoint, alice, "public", "by alice");
        assertEquals(3, highWatermark(tenant, "public"));
        assertDenied(() -> fetcher(endpoint, bob).fetch(fetchRequest("public")), "read", "topic", "public");
        // A deny for "*" beats every principal's allow (prefixed, too); administrators are above ACLs.
        acl(tenant, alice, "all", "topic", "literal", "*", "allow");
        acl(tenant, null, "write", "topic", "prefixed", "pub", "deny");
        assertDenied(() -> produce(endpoint, bob, "public", "no"), "write", "topic", "public");
        assertDenied(() -> produce(endpoint, alice, "public", "no"), "write", "topic", "public");
        produce(endpoint, owner, "public", "by the administrator");
        assertEquals(4, highWatermark(tenant, "public"));
    }

    @Test
    void aRevokedAclIsSeenByOpenConnectionsOnEveryPod() throws Exception {
        pods = new DataPlanePods(store, config.dataDir(), DataPlanePods.config(Map.of()),
                new BearerTokenVerifier(signingKeys, issuer.issuer(), accounts::exists));
        DataPlaneListener pod = pods.start("acl-pod");
        String tenant = newTenant();
        String owner = token(tenant, "tenant-admin");
        String member = token(tenant, "member");
        client.createTopic(admin, tenant, "orders", 1, "{}");
        produceAnywhere(owner, "seed");
        String read = allow(tenant, member, "read", "topic", "orders").get("id").asText();
        String write = allow(tenant, member, "write", "topic", "orders").get("id").asText();

        // Connections open and caches warm on both pods; a subscription streaming from the other pod.
        for (String endpoint : List.of(server.endpoint(), pod.endpoint())) {
            assertEquals(1, records(fetcher(endpoint, member).fetch(fetchRequest("orders"))));
        }
        for (String endpoint : List.of(server.endpoint(), pod.endpoint())) {
            writeAllowed(endpoint, member);
        }
        List<SubscribeResponse> received = new CopyOnWriteArrayList<>();
        CompletableFuture<Throwable> ended = new CompletableFuture<>();
        subscribe(pod.endpoint(), member, "orders", received, ended);
        int batches = (int) highWatermark(tenant, "orders"); // one record per batch, one batch per message
        awaitSize(received, batches);

        // Revoke read. This node dropped its copy before answering; the other pod learns it from its watch.
        assertEquals(204, client.delete("/v1/tenants/" + tenant + "/acls/" + read, admin).statusCode());
        long revoked = System.nanoTime();
        assertDenied(() -> fetcher(server.endpoint(), member).fetch(fetchRequest("orders")), "read", "topic", "orders");
        long seenMillis = awaitDenied(() -> fetcher(pod.endpoint(), member).fetch(fetchRequest("orders")), revoked);
        assertDenied(() -> fetcher(pod.endpoint(), member).fetch(fetchRequest("orders")), "read", "topic", "orders");
        // The open subscription gets nothing produced after that, and ends refused.
        produceAnywhere(owner, "after the revocation");
        Throwable end = ended.get(10, TimeUnit.SECONDS);
        assertEquals(Status.Code.PERMISSION_DENIED, Status.fromThrowable(end).getCode(), String.valueOf(end));
        assertEquals(batches, received.size());

        // Revoke write the same way: the other pod refuses writes within the bound, and nothing is appended after.
        assertEquals(204, client.delete("/v1/tenants/" + tenant + "/acls/" + write, admin).statusCode());
        long writeRevoked = System.nanoTime();
        long writeSeenMillis = awaitDenied(() -> writeAllowed(pod.endpoint(), member), writeRevoked);
        long hwm = highWatermark(tenant, "orders");
        assertDenied(() -> produce(pod.endpoint(), member, "orders", "late"), "write", "topic", "orders");
        assertDenied(() -> produce(server.endpoint(), member, "orders", "late"), "write", "topic", "orders");
        assertEquals(hwm, highWatermark(tenant, "orders"));
        System.out.printf("AclEnforcementTest: revocation seen by the other pod after %d ms (read) and %d ms (write); bound %d ms%n",
                seenMillis, writeSeenMillis, REVOCATION_BOUND_MILLIS);
    }

    /** Produces to topic "orders" partition 0 through whichever pod owns it (following NOT_OWNER). */
    private void produceAnywhere(String token, String value) {
        String endpoint = server.endpoint();
        for (int attempt = 0; ; attempt++) {
            try {
                produce(endpoint, token, "orders", value);
                return;
            } catch (StatusRuntimeException e) {
                String ownerEndpoint = notOwner(e) ? errorInfo(e).getMetadataOrDefault("owner_endpoint", "") : "";
                if (ownerEndpoint.isEmpty() || attempt >= 5) {
                    throw e;
                }
                endpoint = ownerEndpoint;
            }
        }
    }

    private static boolean notOwner(StatusRuntimeException e) {
        return e.getStatus().getCode() == Status.Code.FAILED_PRECONDITION && "NOT_OWNER".equals(e.getTrailers().get(ERROR_CODE));
    }

    private static ErrorInfo errorInfo(StatusRuntimeException e) {
        try {
            return StatusProto.fromThrowable(e).getDetails(0).unpack(ErrorInfo.class);
        } catch (com.google.protobuf.InvalidProtocolBufferException ex) {
            throw new AssertionError(ex);
        }
    }

    /**
     * A produce that passed authorization: appended, or refused with NOT_OWNER because another pod
     * owns the partition (ownership is checked after the ACLs, so that answer means WRITE was allowed).
     */
    private void writeAllowed(String endpoint, String token) {
        try {
            produce(endpoint, token, "orders", "via " + endpoint);
        } catch (StatusRuntimeException e) {
            if (!notOwner(e)) {
                throw e;
            }
        }
    }

    /** Repeats {@code call} until it is refused with PERMISSION_DENIED; fails if that takes longer than the bound. */
    private static long awaitDenied(Runnable call, long sinceNanos) throws InterruptedException {
        while (true) {
            try {
                call.run();
            } catch (StatusRuntimeException e) {
                assertEquals(Status.Code.PERMISSION_DENIED, e.getStatus().getCode(), e.getStatus().toString());
                return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sinceNanos);
            }
            long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sinceNanos);
            assertTrue(waited <= REVOCATION_BOUND_MILLIS, "still allowed " + waited + " ms after the revocation");
            Thread.sleep(5);
        }
    }

    @Test
    void anAclOfAnotherTenantGrantsNothing() throws Exception {
        String a = newTenant();
        String b = newTenant();
        String memberOfA = token(a, "member");
        client.createTopic(admin, a, "orders", 1, "{}");
        client.createTopic(admin, b, "orders", 1, "{}");
        // Tenant B's administrator names tenant A's member in B's ACLs: everything on B's topics and on B itself.
        String bAdmin = token(b, "tenant-admin");
        String principal = TestClient.principalOf(memberOfA);
        client.createAcl(bAdmin, b, principal, "all", "topic", "literal", "*", "allow");
        client.createAcl(bAdmin, b, principal, "all", "tenant", "literal", b, "allow");

        String bTopics = "/v1/tenants/" + b + "/topics";
        for (HttpResponse<String> r : List.of(client.get(bTopics, memberOfA), client.get(bTopics + "/orders", memberOfA),
                client.postJson(bTopics, memberOfA, "{\"name\":\"planted\"}"), client.delete(bTopics + "/orders", memberOfA))) {
            assertEquals(403, r.statusCode(), r.body());
            assertTrue(TestClient.json(r).get("detail").asText().contains("tenant '" + b + "'"), r.body());
        }
        assertNull(topic(b, "planted"));
        // On the data plane its names resolve in its own tenant, where it has no ACL.
        assertDenied(() -> produce(server.endpoint(), memberOfA, "orders", "x"), "write", "topic", "orders");
        assertEquals(0, highWatermark(a, "orders"));
        assertEquals(0, highWatermark(b, "orders"));
    }
}
