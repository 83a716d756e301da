package dev.tributary.server.group;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
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
import dev.tributary.client.ClientProfile;
import dev.tributary.client.TributaryClient;
import dev.tributary.client.consumer.Consumer;
import dev.tributary.client.consumer.ConsumerConfig;
import dev.tributary.client.consumer.ConsumerRecord;
import dev.tributary.client.serde.Serdes;
import dev.tributary.controlplane.identity.TokenIssuer;
import dev.tributary.record.RecordBatch;
import dev.tributary.record.RecordBatchBuilder;
import dev.tributary.server.config.TributaryConfig;
import dev.tributary.server.testing.BadTokens;
import dev.tributary.server.testing.TestClient;
import dev.tributary.server.testing.TributaryTestServer;
import io.grpc.ManagedChannel;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Consumer groups over REST ({@code /v1/tenants/{t}/groups}), against the real server over TLS with
 * real tokens, with real members: joined with raw gRPC heartbeats, or the SDK consumer. Describe
 * reports what was produced and committed; resets are refused while members are live and move the
 * offsets once they left, where a consumer then starts; delete needs an empty group; lists are
 * paged; ACLs decide what a tenant's members may do; other tenants and bad tokens are refused
 * before anything happens.
 */
@QuarkusTest
@WithTestResource(TributaryTestServer.class)
class GroupApiRestTest {
    /** Long enough that no member expires during a test; members leave explicitly. */
    private static final int SESSION_TIMEOUT_MS = 30_000;

    @TestHTTPResource(value = "/", tls = true)
    URL root;
    @Inject
    TributaryConfig config;
    @Inject
    TokenIssuer issuer;

    private TestClient client;
    private String platformAdmin;
    private ManagedChannel channel;
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @BeforeEach
    void connect() throws Exception {
        client = TestClient.forServer(root, config.dataDir());
        platformAdmin = client.adminToken(config.dataDir());
        channel = client.grpcChannel();
    }

    @AfterEach
    void disconnect() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    /** A service account: its id (the principal ACLs name), client secret and a token. */
    record Account(String id, String secret, String token) {}

    /** A tenant with an administrator (which runs the members and produces) and an ordinary member. */
    record Tenant(String id, Account admin, Account member) {
        String groups() {
            return "/v1/tenants/" + id + "/groups";
        }

        String group(String group) {
            return groups() + "/" + group;
        }
    }

    private Tenant newTenant() throws Exception {
        String id = TestClient.uniqueId("grest");
        client.createTenant(platformAdmin, id);
        return new Tenant(id, account(id, "ops", "tenant-admin"), account(id, "app", "member"));
    }

    private Account account(String tenant, String name, String role) throws Exception {
        JsonNode created = client.createServiceAccount(platformAdmin, tenant, name, role);
        String id = created.get("clientId").asText();
        String secret = created.get("clientSecret").asText();
        return new Account(id, secret, client.token(id, secret));
    }

    // ------------------------------------------------------------------ REST

    private HttpResponse<String> get(String path, String token) throws Exception {
        return client.get(path, token);
    }

    private HttpResponse<String> reset(String path, String token, String body) throws Exception {
        return client.postJson(path + "/offsets:reset", token, body);
    }

    private JsonNode ok(HttpResponse<String> response) throws Exception {
        assertEquals(200, response.statusCode(), response.body());
        assertTrue(response.headers().firstValue("content-type").orElse("").startsWith("application/json"));
        return TestClient.json(response);
    }

    private static void assertProblem(HttpResponse<String> response, int status, String code) throws Exception {
        assertEquals(status, response.statusCode(), response.body());
        assertEquals("application/problem+json", response.headers().firstValue("content-type").orElse(""), response.body());
        JsonNode problem = TestClient.json(response);
        assertEquals(code, problem.get("code").asText(), response.body());
        assertEquals(status, problem.get("status").asInt());
    }

    /** partition -> [committedOffset, logEndOffset, lag] of {@code topic} in a description (null stays null). */
    private static Map<Integer, List<Long>> offsets(JsonNode description, String topic) {
        Map<Integer, List<Long>> out = new TreeMap<>();
        for (JsonNode o : description.get("offsets")) {
            if (topic.equals(o.get("topic").asText())) {
                List<Long> row = new ArrayList<>();
                for (String field : List.of("committedOffset", "logEndOffset", "lag")) {
                    row.add(o.get(field).isNull() ? null : o.get(field).asLong());
                }
                out.put(o.get("partition").asInt(), row);
            }
        }
        return out;
    }

    private static List<Long> row(Long committed, Long logEnd, Long lag) {
        List<Long> row = new ArrayList<>();
        row.add(committed);
        row.add(logEnd);
        row.add(lag);
        return row;
    }

    private void createAcl(Tenant t, String operation, String type, String pattern, String name, String permission)
            throws Exception {
        HttpResponse<String> created = client.postJson("/v1/tenants/" + t.id() + "/acls", t.admin().token(),
                "{\"principal\":\"" + t.member().id() + "\",\"operation\":\"" + operation + "\",\"resourceType\":\"" + type
                        + "\",\"patternType\":\"" + pattern + "\",\"resourceName\":\"" + name + "\",\"permission\":\"" + permission + "\"}");
        assertEquals(201, created.statusCode(), created.body());
    }

    // ------------------------------------------------------------------ data plane

    /** Produces {@code count} records as one batch, timestamps {@code firstTimestamp + i * 1000}. */
    private void produce(Tenant t, String topic, int partition, int count, long firstTimestamp) {
        RecordBatchBuilder batch = RecordBatch.builder();
        for (int i = 0; i < count; i++) {
            batch.append(firstTimestamp + i * 1000L, null, (topic + "-" + partition + "-" + i).getBytes(StandardCharsets.UTF_8));
        }
        ProduceServiceGrpc.newBlockingStub(channel).withCallCredentials(TestClient.bearer(t.admin().token()))
                .withDeadlineAfter(30, TimeUnit.SECONDS).produce(ProduceRequest.newBuilder().setTopic(topic)
                        .addPartitions(PartitionBatches.newBuilder().setPartition(partition).addBatches(ByteString.copyFrom(batch.build())))
                        .setAcks(Acks.ACKS_DURABLE).build());
    }

    /** A group member over raw gRPC, as a client library runs one: reports what it holds, takes what it is given. */
    private final class Member {
        final String token;
        final String group;
        final List<String> topics;
        String id = "";
        int epoch;
        /** topic name -> (topic id, partitions held). */
        final Map<String, Map.Entry<String, Set<Integer>>> owned = new TreeMap<>();

        Member(Tenant t, String group, String... topics) {
            this.token = t.admin().token();
            this.group = group;
            this.topics = List.of(topics);
        }

        GroupServiceGrpc.GroupServiceBlockingStub stub() {
            return GroupServiceGrpc.newBlockingStub(channel).withCallCredentials(TestClient.bearer(token))
                    .withDeadlineAfter(30, TimeUnit.SECONDS);
        }

        void heartbeat() {
            GroupHeartbeatRequest.Builder request = GroupHeartbeatRequest.newBuilder().setGroupId(group).setMemberId(id)
                    .setMemberEpoch(epoch);
            if (id.isEmpty()) {
                request.addAllSubscribedTopics(topics).setSessionTimeoutMs(SESSION_TIMEOUT_MS);
            } else {
                OwnedPartitions.Builder o = OwnedPartitions.newBuilder();
                owned.values().forEach(e -> o.addTopics(TopicPartitions.newBuilder().setTopicId(e.getKey()).addAllPartitions(e.getValue())));
                request.setOwnedPartitions(o);
            }
            GroupHeartbeatResponse answer = stub().heartbeat(request.build());
            id = answer.getMemberId();
            epoch = answer.getMemberEpoch();
            owned.clear();
            for (TopicPartitions tp : answer.getAssignmentList()) {
                owned.put(tp.getTopic(), Map.entry(tp.getTopicId(), new TreeSet<>(tp.getPartitionsList())));
            }
        }

        Set<String> held() {
            Set<String> out = new TreeSet<>();
            owned.forEach((topic, e) -> e.getValue().forEach(p -> out.add(topic + "-" + p)));
            return out;
        }

        void commit(String topic, Map<Integer, Long> offsets) {
            CommitOffsetsRequest.Builder request = CommitOffsetsRequest.newBuilder().setGroupId(group).setMemberId(id)
                    .setMemberEpoch(epoch);
            offsets.forEach((p, o) -> request.addOffsets(OffsetToCommit.newBuilder().setTopic(topic).setPartition(p).setOffset(o)));
            stub().commitOffsets(request.build());
        }

        void leave() {
            stub().leaveGroup(LeaveGroupRequest.newBuilder().setGroupId(group).setMemberId(id).setMemberEpoch(epoch).build());
        }
    }

    /** Heartbeats the members in turn until the REST description says the group is stable. */
    private JsonNode untilStable(Tenant t, String group, Member... members) throws Exception {
        for (int round = 0; round < 20; round++) {
            for (Member m : members) {
                m.heartbeat();
            }
            JsonNode d = ok(get(t.group(group), t.admin().token()));
            if (d.get("state").asText().equals("stable")) {
                return d;
            }
        }
        throw new AssertionError("group " + group + " did not become stable");
    }

    /** An SDK consumer of {@code group} on the tenant administrator's client credentials, subscribed to {@code topic}. */
    private Consumer<String, String> sdkConsumer(Tenant t, String group, String topic) {
        URI endpoint = URI.create("https://" + root.getHost() + ":" + root.getPort());
        TributaryClient sdk = TributaryClient.connect(new ClientProfile(endpoint, client.caFile(), t.admin().id(),
                t.admin().secret(), null, null));
        toClose.add(sdk);
        Consumer<String, String> consumer = sdk.newConsumer(ConsumerConfig.builder().groupId(group)
                .autoOffsetReset(ConsumerConfig.OffsetReset.EARLIEST).enableAutoCommit(false)
                .set(ConsumerConfig.SESSION_TIMEOUT_MS, 3_000).build(), Serdes.stringDeserializer(), Serdes.stringDeserializer());
        consumer.subscribe(List.of(topic));
        return consumer;
    }

    /** Polls until {@code expected} records arrived (failing after 30 s), then a little longer to catch any extra one. */
    private static List<ConsumerRecord<String, String>> poll(Consumer<String, String> consumer, int expected) {
        List<ConsumerRecord<String, String>> read = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (read.size() < expected) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("read " + read.size() + " of " + expected + " records: " + read);
            }
            consumer.poll(Duration.ofMillis(200)).forEach(read::add);
        }
        long extra = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(700);
        while (System.nanoTime() - extra < 0) {
            consumer.poll(Duration.ofMillis(100)).forEach(read::add);
        }
        return read;
    }

    /** partition -> offsets read, in order. */
    private static Map<Integer, List<Long>> byPartition(List<ConsumerRecord<String, String>> records) {
        Map<Integer, List<Long>> out = new TreeMap<>();
        for (ConsumerRecord<String, String> r : records) {
            out.computeIfAbsent(r.partition(), p -> new ArrayList<>()).add(r.offset());
        }
        return out;
    }

    private static List<Long> range(long from, long to) {
        List<Long> out = new ArrayList<>();
        for (long o = from; o < to; o++) {
            out.add(o);
        }
        return out;
    }

    // ------------------------------------------------------------------ tests

    @Test
    void describeShowsMembersTheirAssignmentsAndTheLagOfWhatWasProducedAndCommitted() throws Exception {
        Tenant t = newTenant();
        client.createTopic(t.admin().token(), t.id(), "events", 3, "{}");
        client.createTopic(t.admin().token(), t.id(), "audit", 1, "{}");
        long ts = System.currentTimeMillis() - 60_000;
        produce(t, "events", 0, 5, ts);
        produce(t, "events", 1, 7, ts);
        produce(t, "events", 2, 3, ts);
        produce(t, "audit", 0, 4, ts);

        Member first = new Member(t, "billing", "events");
        Member second = new Member(t, "billing", "events");
        first.heartbeat();
        second.heartbeat();
        JsonNode stable = untilStable(t, "billing", first, second);
        Set<String> union = new TreeSet<>(first.held());
        union.addAll(second.held());
        assertEquals(Set.of("events-0", "events-1", "events-2"), union);
        assertEquals(3, first.held().size() + second.held().size(), "disjoint: " + first.held() + " / " + second.held());

        // Each partition committed by its holder: 2 of 5, 7 of 7, 0 of 3.
        Map<Integer, Long> committed = Map.of(0, 2L, 1, 7L, 2, 0L);
        for (Member m : List.of(first, second)) {
            Map<Integer, Long> mine = new TreeMap<>();
            committed.forEach((p, o) -> {
                if (m.held().contains("events-" + p)) {
                    mine.put(p, o);
                }
            });
            if (!mine.isEmpty()) {
                m.commit("events", mine);
            }
        }
        produce(t, "events", 1, 2, ts + 10_000); // lag appears where everything had been consumed

        JsonNode d = ok(get(t.group("billing"), t.admin().token()));
        assertEquals("billing", d.get("groupId").asText());
        assertEquals("stable", d.get("state").asText());
        assertEquals(stable.get("generation").asInt(), d.get("generation").asInt());
        assertTrue(d.get("generation").asInt() >= 2, "two joins raised the generation: " + d);
        Map<String, Set<String>> members = new TreeMap<>();
        for (JsonNode m : d.get("members")) {
            assertTrue(m.has("clientId") && m.get("clientId").isNull(), m.toString());
            Set<String> assigned = new TreeSet<>();
            m.get("assignments").forEach(a -> assigned.add(a.get("topic").asText() + "-" + a.get("partition").asInt()));
            members.put(m.get("memberId").asText(), assigned);
        }
        assertEquals(Map.of(first.id, first.held(), second.id, second.held()), members);
        assertEquals(Map.of(0, row(2L, 5L, 3L), 1, row(7L, 9L, 2L), 2, row(0L, 3L, 3L)), offsets(d, "events"));
        assertEquals(3, d.get("offsets").size(), "only the subscribed topic: " + d.get("offsets"));

        JsonNode listed = ok(get(t.groups(), t.admin().token()));
        assertEquals(1, listed.get("items").size());
        assertEquals("billing", listed.at("/items/0/groupId").asText());
        assertEquals("stable", listed.at("/items/0/state").asText());
        assertEquals(2, listed.at("/items/0/members").asInt());
        assertFalse(listed.has("nextPageToken"));

        // A partition nobody committed shows null offsets; after the members leave, the offsets stay.
        Member auditor = new Member(t, "auditors", "audit");
        auditor.heartbeat();
        assertEquals(Map.of(0, row(null, 4L, null)), offsets(ok(get(t.group("auditors"), t.admin().token())), "audit"));
        auditor.leave();
        first.leave();
        second.leave();
        JsonNode empty = ok(get(t.group("billing"), t.admin().token()));
        assertEquals("empty", empty.get("state").asText());
        assertEquals(0, empty.get("members").size());
        assertEquals(Map.of(0, row(2L, 5L, 3L), 1, row(7L, 9L, 2L), 2, row(0L, 3L, 3L)), offsets(empty, "events"));

        // A platform administrator may look too.
        assertEquals("empty", ok(get(t.group("billing"), platformAdmin)).get("state").asText());
    }

    @Test
    @Timeout(180)
    void resetIsRefusedWhileMembersAreLiveAndAConsumerStartsAtTheNewOffsetsOnceTheyLeft() throws Exception {
        Tenant t = newTenant();
        client.createTopic(t.admin().token(), t.id(), "orders", 2, "{}");
        long base = System.currentTimeMillis() - 3_600_000;
        produce(t, "orders", 0, 10, base);
        produce(t, "orders", 1, 10, base);

        // A live SDK consumer reads everything and commits.
        Consumer<String, String> live = sdkConsumer(t, "shipping", "orders");
        assertEquals(Map.of(0, range(0, 10), 1, range(0, 10)), byPartition(poll(live, 20)));
        live.commitSync();
        JsonNode before = ok(get(t.group("shipping"), t.admin().token()));
        assertEquals(Map.of(0, row(10L, 10L, 0L), 1, row(10L, 10L, 0L)), offsets(before, "orders"));
        assertEquals(1, before.get("members").size());

        for (String body : List.of("{\"to\":\"earliest\"}", "{\"to\":\"latest\",\"topics\":[\"orders\"]}",
                "{\"to\":\"timestamp\",\"timestamp\":" + base + "}")) {
            assertProblem(reset(t.group("shipping"), t.admin().token(), body), 409, "GROUP_NOT_EMPTY");
        }
        assertProblem(client.delete(t.group("shipping"), t.admin().token()), 409, "GROUP_NOT_EMPTY");
        assertEquals(offsets(before, "orders"), offsets(ok(get(t.group("shipping"), t.admin().token())), "orders"),
                "refused resets moved nothing");

        live.close(); // leaves the group
        assertEquals("empty", ok(get(t.group("shipping"), t.admin().token())).get("state").asText());

        // To a timestamp, without naming topics: every topic the group has offsets for.
        JsonNode byTime = ok(reset(t.group("shipping"), t.admin().token(), "{\"to\":\"timestamp\",\"timestamp\":" + (base + 4_000) + "}"));
        assertEquals("shipping", byTime.get("groupId").asText());
        assertEquals(Map.of(0, row(4L, 10L, 6L), 1, row(4L, 10L, 6L)), offsets(byTime, "orders"));
        assertEquals(Map.of(0, row(4L, 10L, 6L), 1, row(4L, 10L, 6L)),
                offsets(ok(get(t.group("shipping"), t.admin().token())), "orders"));
        Consumer<String, String> fromTime = sdkConsumer(t, "shipping", "orders");
        assertEquals(Map.of(0, range(4, 10), 1, range(4, 10)), byPartition(poll(fromTime, 12)));
        fromTime.close();

        // To the earliest offsets: everything again.
        assertEquals(Map.of(0, row(0L, 10L, 10L), 1, row(0L, 10L, 10L)),
                offsets(ok(reset(t.group("shipping"), t.admin().token(), "{\"to\":\"earliest\",\"topics\":[\"orders\"]}")), "orders"));
        Consumer<String, String> fromStart = sdkConsumer(t, "shipping", "orders");
        assertEquals(Map.of(0, range(0, 10), 1, range(0, 10)), byPartition(poll(fromStart, 20)));
        fromStart.close();

        // To the latest offsets: only what is produced afterwards.
        assertEquals(Map.of(0, row(10L, 10L, 0L), 1, row(10L, 10L, 0L)),
                offsets(ok(reset(t.group("shipping"), t.admin().token(), "{\"to\":\"latest\"}")), "orders"));
        produce(t, "orders", 0, 3, System.currentTimeMillis());
        Consumer<String, String> fromEnd = sdkConsumer(t, "shipping", "orders");
        assertEquals(Map.of(0, range(10, 13)), byPartition(poll(fromEnd, 3)));
        fromEnd.close();
    }

    @Test
    void aResetOfSeveralTopicsMovesAllOrNothingAndBadRequestsGetPreciseCodes() throws Exception {
        Tenant t = newTenant();
        String token = t.admin().token();
        client.createTopic(token, t.id(), "a", 2, "{}");
        client.createTopic(token, t.id(), "b", 1, "{}");
        long ts = System.currentTimeMillis() - 60_000;
        produce(t, "a", 0, 4, ts);
        produce(t, "a", 1, 4, ts);
        produce(t, "b", 0, 6, ts);
        Member m = new Member(t, "mixed", "a", "b");
        m.heartbeat();
        assertEquals(Set.of("a-0", "a-1", "b-0"), m.held());
        m.commit("a", Map.of(0, 3L, 1, 4L));
        m.commit("b", Map.of(0, 5L));
        m.leave();
        JsonNode before = ok(get(t.group("mixed"), token));

        // An unknown topic among the named ones: nothing moves.
        assertProblem(reset(t.group("mixed"), token, "{\"to\":\"earliest\",\"topics\":[\"a\",\"nope\"]}"), 404, "UNKNOWN_TOPIC");
        assertEquals(before.get("offsets"), ok(get(t.group("mixed"), token)).get("offsets"));
        JsonNode both = ok(reset(t.group("mixed"), token, "{\"to\":\"earliest\",\"topics\":[\"b\",\"a\",\"a\"]}"));
        assertEquals(3, both.get("offsets").size(), both.toString());
        assertEquals(Map.of(0, row(0L, 4L, 4L), 1, row(0L, 4L, 4L)), offsets(both, "a"));
        assertEquals(Map.of(0, row(0L, 6L, 6L)), offsets(both, "b"));

        // Bad bodies.
        for (String body : List.of("{}", "{\"to\":\"sideways\"}", "{\"to\":\"timestamp\"}", "{\"to\":\"timestamp\",\"timestamp\":-1}",
                "{\"to\":\"latest\",\"timestamp\":5}", "{\"to\":\"earliest\",\"topics\":[]}", "{\"to\":\"earliest\",\"topics\":[null]}")) {
            assertProblem(reset(t.group("mixed"), token, body), 400, "INVALID_REQUEST");
        }
        HttpResponse<String> malformed = reset(t.group("mixed"), token, "{\"to\":");
        assertEquals(400, malformed.statusCode(), malformed.body());
        assertEquals("application/problem+json", malformed.headers().firstValue("content-type").orElse(""));
        HttpResponse<String> noBody = client.send(client.request(t.group("mixed") + "/offsets:reset", token)
                .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.noBody()));
        assertProblem(noBody, 400, "INVALID_REQUEST");
        assertEquals(Map.of(0, row(0L, 4L, 4L), 1, row(0L, 4L, 4L)), offsets(ok(get(t.group("mixed"), token)), "a"),
                "bad requests moved nothing");

        // Unknown and invalid groups, unknown tenants.
        assertProblem(get(t.group("ghost"), token), 404, "GROUP_NOT_FOUND");
        assertProblem(client.delete(t.group("ghost"), token), 404, "GROUP_NOT_FOUND");
        assertProblem(reset(t.group("ghost"), token, "{\"to\":\"earliest\"}"), 404, "GROUP_NOT_FOUND");
        assertProblem(get(t.group("x".repeat(250)), token), 400, "INVALID_GROUP_ID");
        assertProblem(get("/v1/tenants/" + TestClient.uniqueId("nobody") + "/groups", platformAdmin), 404, "TENANT_NOT_FOUND");
        // Naming the topics sets offsets for a group that has none yet, as Kafka's admin tools do.
        JsonNode created = ok(reset(t.group("fresh"), token, "{\"to\":\"latest\",\"topics\":[\"b\"]}"));
        assertEquals(Map.of(0, row(6L, 6L, 0L)), offsets(created, "b"));
        assertEquals("empty", ok(get(t.group("fresh"), token)).get("state").asText());
    }

    @Test
    void deleteNeedsAnEmptyGroupAndTakesItsOffsetsWithIt() throws Exception {
        Tenant t = newTenant();
        String token = t.admin().token();
        client.createTopic(token, t.id(), "events", 1, "{}");
        produce(t, "events", 0, 5, System.currentTimeMillis());
        Member m = new Member(t, "doomed", "events");
        m.heartbeat();
        m.commit("events", Map.of(0, 3L));
        assertProblem(client.delete(t.group("doomed"), token), 409, "GROUP_NOT_EMPTY");
        assertEquals(1, ok(get(t.group("doomed"), token)).get("members").size());
        m.leave();

        HttpResponse<String> deleted = client.delete(t.group("doomed"), token);
        assertEquals(204, deleted.statusCode(), deleted.body());
        assertProblem(get(t.group("doomed"), token), 404, "GROUP_NOT_FOUND");
        assertEquals(0, ok(get(t.groups(), token)).get("items").size());
        assertProblem(client.delete(t.group("doomed"), token), 404, "GROUP_NOT_FOUND");
        // A group of the same id starts afresh: no committed offset survived.
        Member again = new Member(t, "doomed", "events");
        again.heartbeat();
        assertEquals(Map.of(0, row(null, 5L, null)), offsets(ok(get(t.group("doomed"), token)), "events"));
        again.leave();
    }

    @Test
    void listsArePagedInIdOrder() throws Exception {
        Tenant t = newTenant();
        String token = t.admin().token();
        client.createTopic(token, t.id(), "t", 1, "{}");
        for (String g : List.of("p-c", "p-a", "p-e", "p-b", "p-d")) {
            ok(reset(t.group(g), token, "{\"to\":\"earliest\",\"topics\":[\"t\"]}"));
        }
        Member live = new Member(t, "p-f", "t");
        live.heartbeat();

        List<String> seen = new ArrayList<>();
        String pageToken = null;
        int pages = 0;
        do {
            JsonNode page = ok(get(t.groups() + "?pageSize=2" + (pageToken == null ? "" : "&pageToken=" + pageToken), token));
            assertTrue(page.get("items").size() <= 2);
            for (JsonNode g : page.get("items")) {
                seen.add(g.get("groupId").asText());
                boolean isLive = g.get("groupId").asText().equals("p-f");
                assertEquals(isLive ? 1 : 0, g.get("members").asInt(), g.toString());
                assertEquals(isLive ? "stable" : "empty", g.get("state").asText(), g.toString());
            }
            pageToken = page.has("nextPageToken") ? page.get("nextPageToken").asText() : null;
            pages++;
        } while (pageToken != null);
        assertEquals(List.of("p-a", "p-b", "p-c", "p-d", "p-e", "p-f"), seen);
        assertEquals(3, pages);
        JsonNode all = ok(get(t.groups(), token));
        assertEquals(6, all.get("items").size());
        assertFalse(all.has("nextPageToken"));
        JsonNode four = ok(get(t.groups() + "?pageSize=4", token));
        assertEquals(4, four.get("items").size());
        assertEquals(List.of("p-e", "p-f"), ids(ok(get(t.groups() + "?pageSize=4&pageToken=" + four.get("nextPageToken").asText(), token))));

        assertProblem(get(t.groups() + "?pageSize=0", token), 400, "INVALID_REQUEST");
        assertProblem(get(t.groups() + "?pageSize=1001", token), 400, "INVALID_REQUEST");
        assertProblem(get(t.groups() + "?pageToken=%21%21", token), 400, "INVALID_PAGE_TOKEN");
        live.leave();
    }

    private static List<String> ids(JsonNode page) {
        List<String> out = new ArrayList<>();
        page.get("items").forEach(g -> out.add(g.get("groupId").asText()));
        return out;
    }

    @Test
    void aTenantsMembersGetWhatTheirAclsAllow() throws Exception {
        Tenant t = newTenant();
        String admin = t.admin().token();
        String member = t.member().token();
        client.createTopic(admin, t.id(), "t", 1, "{}");
        produce(t, "t", 0, 5, System.currentTimeMillis());
        for (String g : List.of("vis-1", "vis-2", "hidden")) {
            ok(reset(t.group(g), admin, "{\"to\":\"latest\",\"topics\":[\"t\"]}"));
        }

        // No ACL: an empty listing, 403 for the rest, nothing changed.
        assertEquals(0, ok(get(t.groups(), member)).get("items").size());
        assertProblem(get(t.group("vis-1"), member), 403, "FORBIDDEN");
        assertProblem(reset(t.group("vis-1"), member, "{\"to\":\"earliest\",\"topics\":[\"t\"]}"), 403, "FORBIDDEN");
        assertProblem(client.delete(t.group("vis-1"), member), 403, "FORBIDDEN");

        // Describe on the prefix: listing and describing those groups only.
        createAcl(t, "describe", "group", "prefixed", "vis-", "allow");
        assertEquals(List.of("vis-1", "vis-2"), ids(ok(get(t.groups(), member))));
        JsonNode page = ok(get(t.groups() + "?pageSize=1", member));
        assertEquals(List.of("vis-1"), ids(page));
        assertEquals(List.of("vis-2"), ids(ok(get(t.groups() + "?pageSize=1&pageToken=" + page.get("nextPageToken").asText(), member))));
        assertEquals(Map.of(0, row(5L, 5L, 0L)), offsets(ok(get(t.group("vis-1"), member)), "t"));
        assertProblem(get(t.group("hidden"), member), 403, "FORBIDDEN");
        assertProblem(reset(t.group("vis-1"), member, "{\"to\":\"earliest\",\"topics\":[\"t\"]}"), 403, "FORBIDDEN");
        assertProblem(client.delete(t.group("vis-1"), member), 403, "FORBIDDEN");

        // Reset needs READ on the group and on the topics whose offsets move.
        createAcl(t, "read", "group", "literal", "vis-1", "allow");
        assertProblem(reset(t.group("vis-1"), member, "{\"to\":\"earliest\",\"topics\":[\"t\"]}"), 403, "FORBIDDEN");
        assertProblem(reset(t.group("vis-1"), member, "{\"to\":\"earliest\"}"), 403, "FORBIDDEN");
        assertEquals(Map.of(0, row(5L, 5L, 0L)), offsets(ok(get(t.group("vis-1"), member)), "t"), "refused resets moved nothing");
        createAcl(t, "read", "topic", "literal", "t", "allow");
        assertEquals(Map.of(0, row(0L, 5L, 5L)), offsets(ok(reset(t.group("vis-1"), member, "{\"to\":\"earliest\"}")), "t"));
        assertProblem(reset(t.group("vis-2"), member, "{\"to\":\"earliest\"}"), 403, "FORBIDDEN");

        // Delete needs DELETE; a deny beats the prefix's allow.
        assertProblem(client.delete(t.group("vis-1"), member), 403, "FORBIDDEN");
        createAcl(t, "delete", "group", "literal", "vis-1", "allow");
        assertEquals(204, client.delete(t.group("vis-1"), member).statusCode());
        createAcl(t, "describe", "group", "literal", "vis-2", "deny");
        assertProblem(get(t.group("vis-2"), member), 403, "FORBIDDEN");
        assertEquals(0, ok(get(t.groups(), member)).get("items").size());
        assertEquals(List.of("hidden", "vis-2"), ids(ok(get(t.groups(), admin))));
    }

    @Test
    void otherTenantsAndBadTokensAreRefusedBeforeAnythingHappens() throws Exception {
        Tenant a = newTenant();
        Tenant b = newTenant();
        client.createTopic(a.admin().token(), a.id(), "events", 2, "{}");
        client.createTopic(b.admin().token(), b.id(), "events", 2, "{}");
        produce(a, "events", 0, 4, System.currentTimeMillis());
        Member m = new Member(a, "target", "events");
        m.heartbeat();
        m.commit("events", Map.of(0, 2L));
        m.leave();
        JsonNode before = ok(get(a.group("target"), a.admin().token()));

        String resetBody = "{\"to\":\"latest\",\"topics\":[\"events\"]}";
        Map<String, String> strangers = new LinkedHashMap<>();
        strangers.put("other tenant's admin", b.admin().token());
        strangers.put("other tenant's member", b.member().token());
        String missingTenant = "/v1/tenants/" + TestClient.uniqueId("nobody") + "/groups";
        for (Map.Entry<String, String> s : strangers.entrySet()) {
            for (String groups : List.of(a.groups(), missingTenant)) {
                for (String group : List.of("target", "ghost")) {
                    String path = groups + "/" + group;
                    assertProblem(get(groups, s.getValue()), 403, "FORBIDDEN");
                    assertProblem(get(path, s.getValue()), 403, "FORBIDDEN");
                    assertProblem(reset(path, s.getValue(), resetBody), 403, "FORBIDDEN");
                    assertProblem(client.delete(path, s.getValue()), 403, "FORBIDDEN");
                }
            }
        }

        Map<String, String> badTokens = new LinkedHashMap<>();
        badTokens.put("no token", null);
        badTokens.putAll(BadTokens.of(issuer, TestClient.awaitProfileWithCredentials(config.dataDir()).credentials().clientId()));
        for (Map.Entry<String, String> bad : badTokens.entrySet()) {
            String code = bad.getValue() == null ? "UNAUTHENTICATED" : BadTokens.expectedCode(bad.getKey());
            assertProblem(get(a.groups(), bad.getValue()), 401, code);
            assertProblem(get(a.group("target"), bad.getValue()), 401, code);
            assertProblem(reset(a.group("target"), bad.getValue(), resetBody), 401, code);
            assertProblem(client.delete(a.group("target"), bad.getValue()), 401, code);
        }

        // No side effect: A's group and offsets as they were, no group appeared anywhere.
        JsonNode after = ok(get(a.group("target"), a.admin().token()));
        assertEquals(before.get("offsets"), after.get("offsets"));
        assertEquals(List.of("target"), ids(ok(get(a.groups(), a.admin().token()))));
        assertEquals(0, ok(get(b.groups(), b.admin().token())).get("items").size());
        Set<String> seen = new HashSet<>(ids(ok(get(a.groups(), platformAdmin))));
        assertEquals(Set.of("target"), seen);
    }
}
