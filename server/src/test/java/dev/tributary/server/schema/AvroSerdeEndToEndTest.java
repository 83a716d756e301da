package dev.tributary.server.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tributary.client.ClientProfile;
import dev.tributary.client.TopicPartition;
import dev.tributary.client.TributaryClient;
import dev.tributary.client.TributaryException;
import dev.tributary.client.consumer.Consumer;
import dev.tributary.client.consumer.ConsumerConfig;
import dev.tributary.client.consumer.ConsumerRecord;
import dev.tributary.client.internal.schema.RestSchemaRegistry;
import dev.tributary.client.producer.Producer;
import dev.tributary.client.producer.ProducerConfig;
import dev.tributary.client.producer.ProducerRecord;
import dev.tributary.client.schema.SchemaRegistry;
import dev.tributary.client.serde.Deserializer;
import dev.tributary.client.serde.Serdes;
import dev.tributary.client.serde.avro.AvroDeserializer;
import dev.tributary.client.serde.avro.AvroSerializer;
import dev.tributary.client.serde.avro.WireFormat;
import dev.tributary.server.config.TributaryConfig;
import dev.tributary.server.testing.TestClient;
import dev.tributary.server.testing.TributaryTestServer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The SDK's Avro serdes against the real server over TLS, with tokens the SDK fetches from the
 * server's issuer: the serializer registers the schema (auto-register) and the SDK producer sends
 * GenericRecords in the wire format; the SDK consumer reads them back and the deserializer decodes
 * them, generic and specific; an incompatible schema is refused with 409; {@code
 * use.latest.version} with auto-register off writes with the latest registered schema; lookups of
 * unregistered schemas and callers without subject ACLs are refused with the registry's codes, a bad
 * token with the listener's.
 */
@QuarkusTest
@WithTestResource(TributaryTestServer.class)
class AvroSerdeEndToEndTest {
    static final String ORDER_V1 = "{\"type\":\"record\",\"name\":\"AvroTestOrder\",\"namespace\":\"dev.tributary.server.schema\","
            + "\"fields\":[{\"name\":\"id\",\"type\":\"string\"}]}";
    static final String ORDER_V2 = "{\"type\":\"record\",\"name\":\"AvroTestOrder\",\"namespace\":\"dev.tributary.server.schema\","
            + "\"fields\":[{\"name\":\"id\",\"type\":\"string\"},{\"name\":\"qty\",\"type\":\"int\",\"default\":1}]}";
    /** A new field without a default: not BACKWARD compatible (the default level) with either. */
    static final String ORDER_BREAKING = "{\"type\":\"record\",\"name\":\"AvroTestOrder\",\"namespace\":\"dev.tributary.server.schema\","
            + "\"fields\":[{\"name\":\"id\",\"type\":\"string\"},{\"name\":\"sku\",\"type\":\"string\"}]}";

    @TestHTTPResource(value = "/", tls = true)
    URL root;
    @Inject
    TributaryConfig config;

    private TestClient client;
    private String platformAdmin;
    private URI endpoint;

    /** A tenant's member account with its credentials and token. */
    record Account(String tenant, String clientId, String clientSecret, String token) {}

    @BeforeEach
    void connect() throws Exception {
        client = TestClient.forServer(root, config.dataDir());
        platformAdmin = client.adminToken(config.dataDir());
        endpoint = URI.create("https://" + root.getHost() + ":" + root.getPort());
    }

    private Account member(String tenant, String name, boolean subjectAcls) throws Exception {
        JsonNode body = client.createServiceAccount(platformAdmin, tenant, name, "member");
        String clientId = body.get("clientId").asText();
        String secret = body.get("clientSecret").asText();
        String token = client.grantClientAcls(platformAdmin, tenant, client.token(clientId, secret));
        if (subjectAcls) {
            String principal = TestClient.principalOf(token);
            client.grantAcl(platformAdmin, tenant, principal, "read", "subject", "*");
            client.grantAcl(platformAdmin, tenant, principal, "write", "subject", "*");
        }
        return new Account(tenant, clientId, secret, token);
    }

    private Account newTenantMember() throws Exception {
        String tenant = TestClient.uniqueId("avro");
        client.createTenant(platformAdmin, tenant);
        return member(tenant, "app", true);
    }

    private TributaryClient sdk(Account account) {
        return TributaryClient.connect(new ClientProfile(endpoint, client.caFile(), account.clientId(), account.clientSecret(), null, null));
    }

    private static GenericRecord order(String schema, String id) {
        GenericRecord r = new GenericData.Record(new Schema.Parser().parse(schema));
        r.put("id", id);
        return r;
    }

    private JsonNode registry(Account account, String path) throws Exception {
        var response = client.get("/schema-registry" + path, account.token());
        assertEquals(200, response.statusCode(), response.body());
        return TestClient.json(response);
    }

    /** Every record of partition 0 from the start, read by an SDK consumer with a manual assignment. */
    private static <V> List<ConsumerRecord<String, V>> readAll(TributaryClient sdk, String topic, Deserializer<V> values, int expected) {
        ConsumerConfig config = ConsumerConfig.builder().autoOffsetReset(ConsumerConfig.OffsetReset.EARLIEST).enableAutoCommit(false)
                .build();
        List<ConsumerRecord<String, V>> out = new ArrayList<>();
        try (Consumer<String, V> consumer = sdk.newConsumer(config, Serdes.stringDeserializer(), values)) {
            consumer.assign(List.of(new TopicPartition(topic, 0)));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (out.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(500)).forEach(out::add);
            }
        }
        assertEquals(expected, out.size(), "records read from " + topic);
        return out;
    }

    @Test
    void registerProduceConsumeDecodeThenIncompatibleChangeIsRefused() throws Exception {
        Account account = newTenantMember();
        String topic = "orders";
        client.createTopic(platformAdmin, account.tenant(), topic, 1, "{}");
        try (TributaryClient sdk = sdk(account)) {
            RestSchemaRegistry registry = (RestSchemaRegistry) sdk.schemaRegistry();
            AvroSerializer<GenericRecord> serializer = new AvroSerializer<>(sdk.schemaRegistry(), Map.of(), false);
            try (Producer<String, GenericRecord> producer = sdk.newProducer(ProducerConfig.defaults(), Serdes.stringSerializer(), serializer)) {
                for (int i = 0; i < 5; i++) {
                    producer.send(new ProducerRecord<>(topic, "k" + i, order(ORDER_V1, "o-" + i))).join();
                }
            }
            // Registered once, at the first record; the other four came from the cache.
            assertEquals(1, registry.requestCount());
            JsonNode latest = registry(account, "/subjects/orders-value/versions/latest");
            assertEquals(1, latest.get("version").asInt());
            int id = latest.get("id").asInt();
            assertEquals(new Schema.Parser().parse(ORDER_V1), new Schema.Parser().parse(latest.get("schema").asText()));

            // Generic, through the SDK consumer.
            List<ConsumerRecord<String, GenericRecord>> generic = readAll(sdk, topic, new AvroDeserializer<>(sdk.schemaRegistry(), Map.of()), 5);
            for (int i = 0; i < 5; i++) {
                assertEquals("k" + i, generic.get(i).key());
                assertEquals("o-" + i, generic.get(i).value().get("id").toString());
                assertEquals("dev.tributary.server.schema.AvroTestOrder", generic.get(i).value().getSchema().getFullName());
            }

            // The stored bytes are in the wire format; decoded specifically they fill the class (v2: qty's default).
            List<ConsumerRecord<String, byte[]>> raw = readAll(sdk, topic, Serdes.bytesDeserializer(), 5);
            AvroDeserializer<AvroTestOrder> specific = new AvroDeserializer<>(sdk.schemaRegistry(), Map.of("specific.avro.reader", "true"));
            for (int i = 0; i < 5; i++) {
                byte[] value = raw.get(i).value();
                assertEquals(0, value[0]);
                assertEquals(id, WireFormat.schemaId(value));
                AvroTestOrder order = assertInstanceOf(AvroTestOrder.class, specific.deserialize(topic, value));
                assertEquals("o-" + i, order.id());
                assertEquals(1, order.qty());
            }

            // An incompatible change: refused with 409, by the serializer and through the producer, nothing registered.
            TributaryException refused = assertThrows(TributaryException.class,
                    () -> serializer.serialize(topic, order(ORDER_BREAKING, "o-x")));
            assertEquals(TributaryException.SCHEMA_REGISTRY, refused.code());
            assertEquals("409", refused.metadata().get("error_code"));
            assertEquals("409", refused.metadata().get("http_status"));
            assertTrue(refused.getMessage().contains("sku"), refused.getMessage());
            try (Producer<String, GenericRecord> producer = sdk.newProducer(ProducerConfig.defaults(), Serdes.stringSerializer(), serializer)) {
                CompletionException failed = assertThrows(CompletionException.class,
                        () -> producer.send(new ProducerRecord<>(topic, "kx", order(ORDER_BREAKING, "o-x"))).join());
                TributaryException e = assertInstanceOf(TributaryException.class, failed.getCause());
                assertEquals(TributaryException.SERIALIZATION, e.code());
                TributaryException cause = assertInstanceOf(TributaryException.class, e.getCause());
                assertEquals("409", cause.metadata().get("error_code"));
            }
            assertEquals(List.of(1), TestClient.JSON.convertValue(registry(account, "/subjects/orders-value/versions"), List.class));
            // Nothing was written either.
            readAll(sdk, topic, Serdes.bytesDeserializer(), 5);
        }
    }

    @Test
    void useLatestVersionWithoutAutoRegister() throws Exception {
        Account account = newTenantMember();
        String topic = "payments";
        client.createTopic(platformAdmin, account.tenant(), topic, 1, "{}");
        try (TributaryClient sdk = sdk(account)) {
            SchemaRegistry registry = sdk.schemaRegistry();
            Map<String, Object> latestOnly = Map.of("auto.register.schemas", false, "use.latest.version", true);

            // No subject yet: nothing to write with, and nothing gets registered.
            AvroSerializer<AvroTestOrder> latestSerializer = new AvroSerializer<>(registry, latestOnly, false);
            TributaryException none = assertThrows(TributaryException.class,
                    () -> latestSerializer.serialize(topic, new AvroTestOrder("p-0", 3)));
            assertEquals("40401", none.metadata().get("error_code"));

            int v1 = registry.register("payments-value", ORDER_V1);
            int v2 = registry.register("payments-value", ORDER_V2);
            assertTrue(v2 != v1);

            // Auto-register off, the record's own schema: registered (v1) is found, unregistered is 40403.
            AvroSerializer<GenericRecord> lookupOnly = new AvroSerializer<>(sdk.schemaRegistry(), Map.of("auto.register.schemas", "false"), false);
            assertEquals(v1, WireFormat.schemaId(lookupOnly.serialize(topic, order(ORDER_V1, "p-1"))));
            String unregistered = ORDER_V2.replace("\"default\":1", "\"default\":2");
            TributaryException notThere = assertThrows(TributaryException.class,
                    () -> lookupOnly.serialize(topic, order(unregistered, "p-2")));
            assertEquals("40403", notThere.metadata().get("error_code"));
            assertEquals(List.of(1, 2), TestClient.JSON.convertValue(registry(account, "/subjects/payments-value/versions"), List.class));

            // use.latest.version: a fresh serializer (the failed one cached nothing) writes with v2 and its id.
            AvroSerializer<AvroTestOrder> latest = new AvroSerializer<>(registry, latestOnly, false);
            try (Producer<String, AvroTestOrder> producer = sdk.newProducer(ProducerConfig.defaults(), Serdes.stringSerializer(), latest)) {
                producer.send(new ProducerRecord<>(topic, "k", new AvroTestOrder("p-3", 7))).join();
            }
            List<ConsumerRecord<String, byte[]>> raw = readAll(sdk, topic, Serdes.bytesDeserializer(), 1);
            assertEquals(v2, WireFormat.schemaId(raw.get(0).value()));
            List<ConsumerRecord<String, GenericRecord>> read = readAll(sdk, topic, new AvroDeserializer<>(registry, Map.of()), 1);
            assertEquals("p-3", read.get(0).value().get("id").toString());
            assertEquals(7, read.get(0).value().get("qty"));
        }
    }

    @Test
    void callerWithoutSubjectAclsIsRefused() throws Exception {
        Account owner = newTenantMember();
        Account stranger = member(owner.tenant(), "no-subjects", false);
        try (TributaryClient sdk = sdk(stranger)) {
            AvroSerializer<GenericRecord> serializer = new AvroSerializer<>(sdk.schemaRegistry(), Map.of(), false);
            TributaryException denied = assertThrows(TributaryException.class, () -> serializer.serialize("orders", order(ORDER_V1, "o")));
            assertEquals(TributaryException.SCHEMA_REGISTRY, denied.code());
            assertEquals("40301", denied.metadata().get("error_code"));
            assertEquals("403", denied.metadata().get("http_status"));
        }
        // A bad token never reaches the registry: the listener's problem+json code (INVALID_TOKEN), not an error_code.
        try (TributaryClient sdk = TributaryClient.connect(new ClientProfile(endpoint, client.caFile(), null, null, null, null), "not-a-token")) {
            TributaryException rejected = assertThrows(TributaryException.class, () -> sdk.schemaRegistry().schemaById(1));
            assertEquals("INVALID_TOKEN", rejected.code());
            assertEquals("401", rejected.metadata().get("http_status"));
        }
    }
}
