package dev.tributary.server.security;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import dev.tributary.api.v1.Acks;
import dev.tributary.api.v1.CommitOffsetsRequest;
import dev.tributary.api.v1.GroupHeartbeatRequest;
import dev.tributary.api.v1.GroupHeartbeatResponse;
import dev.tributary.api.v1.GroupServiceGrpc;
import dev.tributary.api.v1.LeaveGroupRequest;
import dev.tributary.api.v1.OffsetToCommit;
import dev.tributary.api.v1.OwnedPartitions;
import dev.tributary.api.v1.PartitionBatches;
import dev.tributary.api.v1.ProduceRequest;
import dev.tributary.api.v1.ProduceServiceGrpc;
import dev.tributary.api.v1.TopicPartitions;
import dev.tributary.controlplane.identity.TokenIssuer;
import dev.tributary.controlplane.identity.TokenSubject;
import dev.tributary.controlplane.security.Roles;
import dev.tributary.record.RecordBatch;
import dev.tributary.record.RecordBatchBuilder;
import dev.tributary.server.testing.TestClient;
import io.grpc.ManagedChannel;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * What the denial matrix runs against, built over the real API: tenant A with a real object of
 * every kind the API names (a topic with records, a service account, an ACL, an identity pool, a
 * quota of its own, a consumer group with a live member and committed offsets, an empty group
 * with committed offsets, subjects with schemas, one referring to the other, and non-default
 * compatibility levels and modes), tenant B with an administrator and nothing else, and the token
 * of every column: A's administrator (and that token expired, and tampered with), A's member
 * without any ACL, B's administrator, the platform administrator.
 */
final class DenialFixture {
    static final String TOPIC = "orders";
    static final int PARTITIONS = 2;
    /** A group with a live member (session long enough to outlast the test) and committed offsets. */
    static final String LIVE_GROUP = "billing";
    /** A group whose member left: committed offsets, no members, so a reset or delete would succeed. */
    static final String EMPTY_GROUP = "archive";
    static final String POOL = "corp";
    static final String SUBJECT = "orders-value";
    static final String REFERRING_SUBJECT = "order-lines-value";
    static final String V1 = "application/vnd.schemaregistry.v1+json";
    static final String ORDER = "{\"type\":\"record\",\"name\":\"Order\",\"namespace\":\"shop\",\"fields\":[{\"name\":\"id\",\"type\":\"string\"}]}";
    /** Adds a field without a default: incompatible with ORDER at every level but NONE and FORWARD. */
    static final String ORDER_BREAKING = "{\"type\":\"record\",\"name\":\"Order\",\"namespace\":\"shop\",\"fields\":[{\"name\":\"id\",\"type\":\"string\"},"
            + "{\"name\":\"sku\",\"type\":\"string\"}]}";
    /** Uses shop.Order, which it finds through a reference to SUBJECT version 1. */
    static final String LINE = "{\"type\":\"record\",\"name\":\"Line\",\"namespace\":\"shop\",\"fields\":[{\"name\":\"order\",\"type\":\"shop.Order\"}]}";
    static final String LINE_V2 = "{\"type\":\"record\",\"name\":\"Line\",\"namespace\":\"shop\",\"fields\":[{\"name\":\"order\",\"type\":\"shop.Order\"},"
            + "{\"name\":\"qty\",\"type\":\"int\",\"default\":1}]}";
    private static final int SESSION_TIMEOUT_MS = 600_000;

    final TestClient client;
    final ManagedChannel channel;
    final String platformAdmin;
    final String tenantA;
    final String tenantB;
    final String adminA;
    final String adminAId;
    final String memberA;
    final String memberAId;
    final String adminB;
    final String expiredAdminA;
    final String tamperedAdminA;
    /** A member service account of A that rows aim at (get, rotate its secret, delete it). */
    final String accountA;
    final String aclA;
    /** The id A's registry gave ORDER. */
    final int schemaIdA;
    final String liveMemberId;
    final int liveMemberEpoch;
    final String issuerOfPool;

    DenialFixture(TestClient client, ManagedChannel channel, TokenIssuer issuer, String platformAdmin) throws Exception {
        this.client = client;
        this.channel = channel;
        this.platformAdmin = platformAdmin;
        tenantA = TestClient.uniqueId("deny-a");
        tenantB = TestClient.uniqueId("deny-b");
        client.createTenant(platformAdmin, tenantA);
        client.createTenant(platformAdmin, tenantB);
        JsonNode admin = client.createServiceAccount(platformAdmin, tenantA, "ops", Roles.TENANT_ADMIN);
        adminAId = admin.get("id").asText();
        adminA = client.token(admin.get("clientId").asText(), admin.get("clientSecret").asText());
        JsonNode member = client.createServiceAccount(platformAdmin, tenantA, "app", Roles.MEMBER);
        memberA = client.token(member.get("clientId").asText(), member.get("clientSecret").asText());
        memberAId = member.get("id").asText();
        accountA = client.createServiceAccount(platformAdmin, tenantA, "ingest", Roles.MEMBER).get("id").asText();
        JsonNode adminOfB = client.createServiceAccount(platformAdmin, tenantB, "ops", Roles.TENANT_ADMIN);
        adminB = client.token(adminOfB.get("clientId").asText(), adminOfB.get("clientSecret").asText());

        // The expired token is signed by the real issuer with its stored key and names A's real
        // administrator: only its expiry is wrong. The tampered one is A's administrator's real
        // token with one character of the signature changed (not the last, whose low bits are padding).
        expiredAdminA = issuer.issue(new TokenSubject(adminAId, tenantA, Set.of(Roles.TENANT_ADMIN)),
                Instant.now().minus(Duration.ofHours(1)), Duration.ofMinutes(15)).accessToken();
        String[] parts = adminA.split("\\.");
        char c = parts[2].charAt(10);
        tamperedAdminA = parts[0] + "." + parts[1] + "." + parts[2].substring(0, 10) + (c == 'A' ? 'B' : 'A') + parts[2].substring(11);

        client.createTopic(adminA, tenantA, TOPIC, PARTITIONS, "{\"retention.ms\":\"86400000\"}");
        produce(0, 3);
        produce(1, 2);

        issuerOfPool = "https://" + TestClient.uniqueId("idp") + ".example/realms/corp";
        ObjectNode pool = TestClient.JSON.createObjectNode().put("name", POOL).put("issuer", issuerOfPool).put("audience", "tributary");
        expect(201, client.postJson(a("/identity-pools"), adminA, pool.toString()), "identity pool");
        // The ACL names a principal of the pool, not A's member, which must have none.
        aclA = client.grantAcl(adminA, tenantA, POOL + ":alice", "read", "topic", TOPIC).get("id").asText();
        expect(200, send("PUT", a("/quota"), platformAdmin, "application/json", "{\"topics\":20,\"partitions\":100}"), "quota");

        // The empty group: a member joins, commits and leaves.
        Member gone = join(EMPTY_GROUP);
        gone.commit(Map.of(0, 1L));
        groups(adminA).leaveGroup(LeaveGroupRequest.newBuilder().setGroupId(EMPTY_GROUP).setMemberId(gone.id)
                .setMemberEpoch(gone.epoch).build());
        // The live group: a member that stays (its session outlasts the test), with offsets on both partitions.
        Member live = join(LIVE_GROUP);
        live.commit(Map.of(0, 2L, 1, 1L));
        liveMemberId = live.id;
        liveMemberEpoch = live.epoch;

        schemaIdA = registryOk(send("POST", "/schema-registry/subjects/" + SUBJECT + "/versions", adminA, V1, schemaBody(ORDER, false)))
                .get("id").asInt();
        registryOk(send("POST", "/schema-registry/subjects/" + REFERRING_SUBJECT + "/versions", adminA, V1, schemaBody(LINE, true)));
        registryOk(send("PUT", "/schema-registry/config/" + SUBJECT, adminA, V1, "{\"compatibility\":\"FULL_TRANSITIVE\"}"));
        // The subjects' own mode READWRITE, so that a registration or delete that leaked into A would
        // go through (and show in the snapshot) despite the tenant's READONLY below.
        registryOk(send("PUT", "/schema-registry/mode/" + SUBJECT, adminA, V1, "{\"mode\":\"READWRITE\"}"));
        registryOk(send("PUT", "/schema-registry/mode/" + REFERRING_SUBJECT, adminA, V1, "{\"mode\":\"READWRITE\"}"));
        registryOk(send("PUT", "/schema-registry/config", adminA, V1, "{\"compatibility\":\"FULL\"}"));
        // Last (it stops registrations elsewhere): the tenant's mode READONLY, unlike B's default READWRITE.
        registryOk(send("PUT", "/schema-registry/mode", adminA, V1, "{\"mode\":\"READONLY\"}"));
    }

    /** {@code /v1/tenants/A} + suffix. */
    String a(String suffix) {
        return "/v1/tenants/" + tenantA + suffix;
    }

    /** A registration body: {@code schema}, with a reference to SUBJECT version 1 (as shop.Order) if asked. */
    static String schemaBody(String schema, boolean referencesOrder) {
        ObjectNode body = TestClient.JSON.createObjectNode().put("schema", schema);
        if (referencesOrder) {
            body.putArray("references").addObject().put("name", "shop.Order").put("subject", SUBJECT).put("version", 1);
        }
        return body.toString();
    }

    HttpResponse<String> send(String method, String path, String token, String contentType, String body) throws Exception {
        HttpRequest.Builder request = client.request(path, token);
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("content-type", contentType).method(method, HttpRequest.BodyPublishers.ofString(body));
        }
        return client.send(request);
    }

    private static HttpResponse<String> expect(int status, HttpResponse<String> response, String what) {
        if (response.statusCode() != status) {
            throw new AssertionError(what + ": " + response.statusCode() + " " + response.body());
        }
        return response;
    }

    private static JsonNode registryOk(HttpResponse<String> response) throws Exception {
        return TestClient.json(expect(200, response, "schema registry " + response.request().method() + " " + response.request().uri()));
    }

    GroupServiceGrpc.GroupServiceBlockingStub groups(String token) {
        return GroupServiceGrpc.newBlockingStub(channel).withCallCredentials(TestClient.bearer(token))
                .withDeadlineAfter(20, TimeUnit.SECONDS);
    }

    private void produce(int partition, int count) {
        RecordBatchBuilder batch = RecordBatch.builder();
        for (int i = 0; i < count; i++) {
            batch.append(System.currentTimeMillis(), null, ("record-" + partition + "-" + i).getBytes(StandardCharsets.UTF_8));
        }
        ProduceServiceGrpc.newBlockingStub(channel).withCallCredentials(TestClient.bearer(adminA)).withDeadlineAfter(20, TimeUnit.SECONDS)
                .produce(ProduceRequest.newBuilder().setTopic(TOPIC).setAcks(Acks.ACKS_DURABLE)
                        .addPartitions(PartitionBatches.newBuilder().setPartition(partition).addBatches(ByteString.copyFrom(batch.build())))
                        .build());
    }

    /** A member of {@code group} (run by A's administrator) that heartbeats until it holds every partition of the topic. */
    private Member join(String group) {
        Member m = new Member(group);
        for (int round = 0; round < 20; round++) {
            m.heartbeat();
            if (m.held.size() == PARTITIONS) {
                return m;
            }
        }
        throw new AssertionError("the only member of group " + group + " was not given every partition: " + m.held);
    }

    private final class Member {
        final String group;
        String id = "";
        int epoch;
        String topicId = "";
        final Set<Integer> held = new TreeSet<>();

        Member(String group) {
            this.group = group;
        }

        void heartbeat() {
            GroupHeartbeatRequest.Builder request = GroupHeartbeatRequest.newBuilder().setGroupId(group).setMemberId(id).setMemberEpoch(epoch);
            if (id.isEmpty()) {
                request.addSubscribedTopics(TOPIC).setSessionTimeoutMs(SESSION_TIMEOUT_MS);
            } else {
                request.setOwnedPartitions(OwnedPartitions.newBuilder().addTopics(TopicPartitions.newBuilder().setTopicId(topicId)
                        .addAllPartitions(held)));
            }
            GroupHeartbeatResponse answer = groups(adminA).heartbeat(request.build());
            id = answer.getMemberId();
            epoch = answer.getMemberEpoch();
            held.clear();
            for (TopicPartitions tp : answer.getAssignmentList()) {
                topicId = tp.getTopicId();
                held.addAll(tp.getPartitionsList());
            }
        }

        void commit(Map<Integer, Long> offsets) {
            CommitOffsetsRequest.Builder request = CommitOffsetsRequest.newBuilder().setGroupId(group).setMemberId(id).setMemberEpoch(epoch);
            new TreeMap<>(offsets).forEach((p, o) -> request.addOffsets(OffsetToCommit.newBuilder().setTopic(TOPIC).setPartition(p).setOffset(o)));
            groups(adminA).commitOffsets(request.build());
        }
    }

    List<String> tenants() {
        return List.of(tenantA, tenantB);
    }

    /** The administrator's token of one of the two tenants. */
    String adminOf(String tenant) {
        return tenant.equals(tenantA) ? adminA : adminB;
    }
}
