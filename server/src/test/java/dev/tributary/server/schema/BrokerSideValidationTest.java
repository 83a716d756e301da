package dev.tributary.server.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.rpc.ErrorInfo;
import dev.tributary.api.v1.Acks;
import dev.tributary.api.v1.FetchRequest;
import dev.tributary.api.v1.FetchResponse;
import dev.tributary.api.v1.FetchServiceGrpc;
import dev.tributary.api.v1.PartitionFetch;
import dev.tributary.api.v1.ProduceRequest;
import dev.tributary.api.v1.ProduceResponse;
import dev.tributary.api.v1.ProduceServiceGrpc;
import dev.tributary.record.CompressionCodec;
import dev.tributary.record.Record;
import dev.tributary.record.RecordBatch;
import dev.tributary.record.RecordBatchBuilder;
import dev.tributary.server.config.TributaryConfig;
import dev.tributary.server.testing.TestClient;
import dev.tributary.server.testing.TributaryTestServer;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URL;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Broker-side schema validation over the server's real TLS listener with real tokens: schemas are
 * registered through the registry's REST API, topics bound to subjects through the topic REST
 * API, records produced and fetched over gRPC. A record whose key or value does not name (wire
 * format: magic byte 0, 4-byte big-endian id) an id its subject registers in the caller's tenant
 * makes the whole request fail with SCHEMA_VALIDATION_FAILED, and nothing of it is written.
 */
@QuarkusTest
@WithTestResource(TributaryTestServer.class)
class BrokerSideValidationTest {
    private static final Metadata.Key<String> ERROR_CODE = Metadata.Key.of("tributary-error-code", Metadata.ASCII_STRING_MARSHALLER);
    private static final String SR = "/schema-registry";
    private static final String V1 = "application/vnd.schemaregistry.v1+json";
    private static final String ORDER = "{\"type\":\"record\",\"name\":\"Order\",\"fields\":[{\"name\":\"id\",\"type\":\"string\"}]}";
    private static final String CUSTOMER = "{\"type\":\"record\",\"name\":\"Customer\",\"fields\":[{\"name\":\"name\",\"type\":\"string\"}]}";
    private static final String ORDER_KEY = "{\"type\":\"record\",\"name\":\"OrderKey\",\"fields\":[{\"name\":\"k\",\"type\":\"long\"}]}";

    @TestHTTPResource(value = "/", tls = true)
    URL root;
    @Inject
    TributaryConfig config;

    private TestClient client;
    private String platformAdmin;
    private ManagedChannel channel;

    @BeforeEach
    void connect() throws Exception {
        client = TestClient.forServer(root, config.dataDir());
        platformAdmin = client.adminToken(config.dataDir());
        channel = client.grpcChannel();
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    /** A tenant: its administrator (registers schemas) and a member with produce and fetch ACLs. */
    private record Tenant(String id, String admin, String member) {}

    private Tenant newTenant() throws Exception {
        String id = TestClient.uniqueId("bv");
        String admin = client.tenantWithAccount(platformAdmin, id, "tenant-admin");
        var account = client.createServiceAccount(platformAdmin, id, "producer", "member");
        String member = client.token(account.get("clientId").asText(), account.get("clientSecret").asText());
        client.grantClientAcls(platformAdmin, id, member);
        return new Tenant(id, admin, member);
    }

    private int register(String token, String subject, String schema) throws Exception {
        HttpRequest.Builder request = client.request(SR + "/subjects/" + subject + "/versions", token)
                .header("content-type", V1)
                .POST(HttpRequest.BodyPublishers.ofString(TestClient.JSON.createObjectNode().put("schema", schema).toString()));
        HttpResponse<String> response = client.send(request);
        assertEquals(200, response.statusCode(), response.body());
        return TestClient.json(response).get("id").asInt();
    }

    private int schemaStatus(String token, int id) throws Exception {
        return client.send(client.request(SR + "/schemas/ids/" + id, token).GET()).statusCode();
    }

    /** The wire format: magic byte 0, the id big-endian, then (here) a few payload bytes. */
    private static byte[] framed(int id, String payload) {
        byte[] body = payload.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(5 + body.length).put((byte) 0).putInt(id).put(body).array();
    }

    private static byte[] batch(CompressionCodec codec, byte[]... keysAndValues) {
        RecordBatchBuilder b = RecordBatch.builder().compression(codec);
        long now = System.currentTimeMillis();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            b.append(now, keysAndValues[i], keysAndValues[i + 1]);
        }
        return b.build();
    }

    private static ProduceRequest request(String topic, byte[]... batches) {
        ProduceRequest.Builder r = ProduceRequest.newBuilder().setTopic(topic).setAcks(Acks.ACKS_DURABLE);
        var partition = r.addPartitionsBuilder().setPartition(0);
        for (byte[] b : batches) {
            partition.addBatches(ByteString.copyFrom(b));
        }
        return r.build();
    }

    private ProduceServiceGrpc.ProduceServiceBlockingStub produce(String token) {
        return ProduceServiceGrpc.newBlockingStub(channel).withCallCredentials(TestClient.bearer(token))
                .withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    private List<Record> fetchAll(String token, String topic) {
        FetchResponse fetched = FetchServiceGrpc.newBlockingStub(channel).withCallCredentials(TestClient.bearer(token))
                .withDeadlineAfter(30, TimeUnit.SECONDS)
                .fetch(FetchRequest.newBuilder().setTopic(topic).addPartitions(PartitionFetch.newBuilder().setPartition(0).setOffset(0))
                        .build());
        List<Record> records = new ArrayList<>();
        for (ByteString bytes : fetched.getPartitions(0).getBatchesList()) {
            records.addAll(RecordBatch.parse(bytes.toByteArray()).records());
        }
        return records;
    }

    private long highWatermark(String token, String topic) {
        return FetchServiceGrpc.newBlockingStub(channel).withCallCredentials(TestClient.bearer(token))
                .withDeadlineAfter(30, TimeUnit.SECONDS)
                .fetch(FetchRequest.newBuilder().setTopic(topic).addPartitions(PartitionFetch.newBuilder().setPartition(0).setOffset(0)
                        .setMaxBytes(1)).build()).getPartitions(0).getHighWatermark();
    }

    /** Refused with SCHEMA_VALIDATION_FAILED naming the record; the high watermark and the records are unchanged. */
    private Map<String, String> assertRefused(Tenant t, String topic, ProduceRequest request, String descriptionPart)
            throws Exception {
        long before = highWatermark(t.member(), topic);
        int recordsBefore = fetchAll(t.member(), topic).size();
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> produce(t.member()).produce(request));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), e.getStatus().toString());
        assertEquals("SCHEMA_VALIDATION_FAILED", e.getTrailers().get(ERROR_CODE));
        String description = e.getStatus().getDescription();
        assertTrue(description.startsWith("SCHEMA_VALIDATION_FAILED: partition 0, batch "), description);
        assertTrue(description.contains(descriptionPart), description);
        assertTrue(description.endsWith("nothing of the request was written"), description);
        ErrorInfo info = StatusProto.fromThrowable(e).getDetails(0).unpack(ErrorInfo.class);
        assertEquals("SCHEMA_VALIDATION_FAILED", info.getReason());
        assertEquals(before, highWatermark(t.member(), topic));
        assertEquals(recordsBefore, fetchAll(t.member(), topic).size());
        return info.getMetadataMap();
    }

    @Test
    @Timeout(120)
    void valueValidationAcceptsRegisteredIdsAndRefusesEverythingElse() throws Exception {
        Tenant t = newTenant();
        Tenant other = newTenant();
        int order = register(t.admin(), "orders-value", ORDER);
        int customer = register(t.admin(), "customers-value", CUSTOMER);
        // The other tenant has ids of its own, one more than this tenant has.
        register(other.admin(), "x-value", ORDER);
        register(other.admin(), "y-value", CUSTOMER);
        int foreign = register(other.admin(), "z-value", ORDER_KEY);
        assertEquals(200, schemaStatus(other.admin(), foreign));
        assertEquals(404, schemaStatus(t.admin(), foreign));
        assertTrue(order != customer);

        client.createTopic(t.admin(), t.id(), "orders", 1, "{\"value.schema.validation\":\"true\"}");
        var produce = produce(t.member());

        // A registered id under the default subject (orders-value), whatever the key: accepted.
        ProduceResponse ok = produce.produce(request("orders", batch(CompressionCodec.NONE,
                "k1".getBytes(StandardCharsets.UTF_8), framed(order, "a"), null, framed(order, "b"))));
        assertEquals(1, ok.getPartitions(0).getBatches(0).getLastOffset());
        assertEquals(2, highWatermark(t.member(), "orders"));

        // No magic byte: the second record of the second batch names the offending record.
        Map<String, String> where = assertRefused(t, "orders", request("orders",
                batch(CompressionCodec.NONE, null, framed(order, "ok")),
                batch(CompressionCodec.NONE, null, framed(order, "ok"), null, "{\"id\":\"plain json\"}".getBytes(StandardCharsets.UTF_8))),
                "batch 1, record at offset delta 1: the value does not start with the schema wire format");
        assertEquals("1", where.get("batch_index"));
        assertEquals("1", where.get("offset_delta"));
        assertEquals("value", where.get("part"));
        assertEquals("orders-value", where.get("subject"));
        // Too short for a header, and a wrong magic byte.
        assertRefused(t, "orders", request("orders", batch(CompressionCodec.NONE, null, new byte[] {0, 0, 0})),
                "the value does not start with the schema wire format");
        byte[] wrongMagic = framed(order, "x");
        wrongMagic[0] = 1;
        assertRefused(t, "orders", request("orders", batch(CompressionCodec.NONE, null, wrongMagic)),
                "the value does not start with the schema wire format");
        // A null value.
        assertRefused(t, "orders", request("orders", batch(CompressionCodec.NONE, null, framed(order, "ok"), null, null)),
                "offset delta 1: the value is null");

        // An unknown id; an id registered only under another subject; an id of another tenant (in a compressed batch).
        where = assertRefused(t, "orders", request("orders", batch(CompressionCodec.NONE, null, framed(9999, "x"))),
                "schema id 9999 is not registered under subject 'orders-value'");
        assertEquals("9999", where.get("schema_id"));
        assertRefused(t, "orders", request("orders", batch(CompressionCodec.NONE, null, framed(customer, "x"))),
                "schema id " + customer + " is not registered under subject 'orders-value'");
        assertRefused(t, "orders", request("orders", batch(CompressionCodec.ZSTD, null, framed(order, "a"), null, framed(foreign, "x"))),
                "offset delta 1: schema id " + foreign + " is not registered under subject 'orders-value'");

        // After all the refusals: exactly the first two records, intact.
        List<Record> records = fetchAll(t.member(), "orders");
        assertEquals(2, records.size());
        assertEquals("b", new String(records.get(1).value(), 5, 1, StandardCharsets.UTF_8));

        // The same id becomes acceptable once registered under the subject (the cache keeps no negative answers).
        int orderV2 = register(t.admin(), "orders-value", "{\"type\":\"record\",\"name\":\"Order\",\"fields\":["
                + "{\"name\":\"id\",\"type\":\"string\"},{\"name\":\"note\",\"type\":\"string\",\"default\":\"\"}]}");
        produce.produce(request("orders", batch(CompressionCodec.LZ4, null, framed(orderV2, "c"))));
        assertEquals(3, highWatermark(t.member(), "orders"));
    }

    @Test
    @Timeout(120)
    void keyValidationWithAnExplicitSubjectRefusesNullAndUnregisteredKeys() throws Exception {
        Tenant t = newTenant();
        int key = register(t.admin(), "shared-keys", ORDER_KEY);
        int value = register(t.admin(), "payments-value", ORDER);
        client.createTopic(t.admin(), t.id(), "payments", 1,
                "{\"key.schema.validation\":\"true\",\"key.schema.subject\":\"shared-keys\"}");
        var produce = produce(t.member());

        // Keys are checked against shared-keys; values are not checked at all.
        produce.produce(request("payments", batch(CompressionCodec.NONE, framed(key, "k"), "anything".getBytes(StandardCharsets.UTF_8))));
        assertEquals(1, highWatermark(t.member(), "payments"));

        Map<String, String> where = assertRefused(t, "payments", request("payments",
                batch(CompressionCodec.NONE, framed(key, "k"), null, null, framed(value, "v"))),
                "offset delta 1: the key is null");
        assertEquals("key", where.get("part"));
        assertEquals("shared-keys", where.get("subject"));
        assertRefused(t, "payments", request("payments", batch(CompressionCodec.NONE, "k".getBytes(StandardCharsets.UTF_8), null)),
                "the key does not start with the schema wire format");
        // Registered, but under payments-value (and the topic's default key subject payments-key does not apply).
        assertRefused(t, "payments", request("payments", batch(CompressionCodec.NONE, framed(value, "k"), null)),
                "schema id " + value + " is not registered under subject 'shared-keys'");
        assertEquals(1, fetchAll(t.member(), "payments").size());
    }

    @Test
    @Timeout(120)
    void withoutValidationAnythingIsAcceptedAndBadSettingsAreRefused() throws Exception {
        Tenant t = newTenant();
        client.createTopic(t.admin(), t.id(), "free", 1, "{}");
        client.createTopic(t.admin(), t.id(), "off", 1, "{\"value.schema.validation\":\"false\",\"key.schema.validation\":\"false\"}");
        for (String topic : List.of("free", "off")) {
            produce(t.member()).produce(request(topic, batch(CompressionCodec.NONE, null, null,
                    "k".getBytes(StandardCharsets.UTF_8), framed(12345, "not registered"))));
            assertEquals(2, highWatermark(t.member(), topic));
        }

        // Bad values: INVALID_CONFIG over REST, no topic created.
        for (String bad : List.of("{\"value.schema.validation\":\"yes\"}", "{\"key.schema.validation\":\"TRUE\"}",
                "{\"value.schema.subject\":\"a\\u0001b\"}", "{\"key.schema.subject\":\"" + "s".repeat(1001) + "\"}")) {
            HttpResponse<String> refused = client.postJson("/v1/tenants/" + t.id() + "/topics", t.admin(),
                    "{\"name\":\"bad\",\"partitions\":1,\"config\":" + bad + "}");
            assertEquals(400, refused.statusCode(), bad + " -> " + refused.body());
            assertTrue(refused.body().contains("INVALID_CONFIG"), refused.body());
        }
        assertEquals(404, client.get("/v1/tenants/" + t.id() + "/topics/bad", t.admin()).statusCode());

        // Turning validation on for an existing topic applies to the next request.
        HttpResponse<String> altered = client.send(client.request("/v1/tenants/" + t.id() + "/topics/free", t.admin())
                .header("content-type", "application/json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"set\":{\"value.schema.validation\":\"true\"}}")));
        assertEquals(200, altered.statusCode(), altered.body());
        assertRefused(t, "free", request("free", batch(CompressionCodec.NONE, null, framed(12345, "x"))),
                "schema id 12345 is not registered under subject 'free-value'");
    }
}
