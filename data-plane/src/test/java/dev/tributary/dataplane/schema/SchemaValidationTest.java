package dev.tributary.dataplane.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.rpc.ErrorInfo;
import dev.tributary.log.LogErrorCode;
import dev.tributary.log.LogException;
import dev.tributary.log.ProducedBatch;
import dev.tributary.record.CompressionCodec;
import dev.tributary.record.RecordBatch;
import dev.tributary.record.RecordBatchBuilder;
import dev.tributary.schema.SchemaInput;
import dev.tributary.schema.SchemaLookup;
import dev.tributary.schema.SchemaRegistry;
import dev.tributary.schema.SchemaRegistrySettings;
import dev.tributary.schema.provider.SchemaProviders;
import dev.tributary.storage.embedded.EmbeddedStore;
import dev.tributary.topic.TopicConfig;
import dev.tributary.topic.TopicMetadata;
import dev.tributary.topic.TopicStore;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SchemaValidation over the real embedded store and registry, through the call the produce service
 * makes (ProducedBatch.validate with the checker), and the topic configuration it reads.
 */
class SchemaValidationTest {
    private static final String ORDER = "{\"type\":\"record\",\"name\":\"Order\",\"fields\":[{\"name\":\"id\",\"type\":\"string\"}]}";

    @TempDir
    Path dir;
    EmbeddedStore store;
    SchemaRegistry registry;
    TopicStore topics;

    @BeforeEach
    void open() {
        store = EmbeddedStore.open(dir);
        registry = new SchemaRegistry(store, SchemaProviders.defaults(), SchemaRegistrySettings.defaults());
        topics = new TopicStore(store);
    }

    @AfterEach
    void close() {
        store.close();
    }

    private static byte[] framed(int id) {
        return ByteBuffer.allocate(7).put((byte) 0).putInt(id).put((byte) 'h').put((byte) 'i').array();
    }

    private static byte[] batch(CompressionCodec codec, byte[]... keysAndValues) {
        RecordBatchBuilder b = RecordBatch.builder().compression(codec);
        for (int i = 0; i < keysAndValues.length; i += 2) {
            b.append(1L, keysAndValues[i], keysAndValues[i + 1]);
        }
        return b.build();
    }

    @Test
    void registeredIdsPassAndACacheHitDoesNotTouchTheStore() {
        int id = registry.register("t1", "orders-value", SchemaInput.avro(ORDER), null, null).id();
        SchemaValidation validation = new SchemaValidation(new SchemaLookup(registry, 100, Duration.ofMinutes(5)));
        TopicMetadata topic = topics.create("t1", "orders", 1, Map.of("value.schema.validation", "true"));

        assertEquals(2, ProducedBatch.validate(batch(CompressionCodec.ZSTD, null, framed(id), null, framed(id)),
                validation.checker("t1", topic, 0, 0)).recordCount());
        // Warm: with the store closed, a further batch naming the same id still passes (no store read) ...
        store.close();
        assertEquals(1, ProducedBatch.validate(batch(CompressionCodec.NONE, null, framed(id)),
                validation.checker("t1", topic, 0, 0)).recordCount());
        // ... while an id not in the cache has to ask the closed store, and fails.
        assertThrows(RuntimeException.class, () -> ProducedBatch.validate(batch(CompressionCodec.NONE, null, framed(id + 1)),
                validation.checker("t1", topic, 0, 0)));
    }

    @Test
    void refusalsNameTheRecordAndTheSubject() throws Exception {
        int id = registry.register("t1", "orders-value", SchemaInput.avro(ORDER), null, null).id();
        registry.register("t2", "orders-value", SchemaInput.avro(ORDER), null, null);
        SchemaValidation validation = new SchemaValidation(new SchemaLookup(registry, 100, Duration.ofMinutes(5)));
        TopicMetadata topic = topics.create("t1", "orders", 1, Map.of("value.schema.validation", "true"));
        TopicMetadata other = topics.create("t2", "orders", 1, Map.of("value.schema.validation", "true",
                "value.schema.subject", "elsewhere"));

        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> ProducedBatch.validate(
                batch(CompressionCodec.LZ4, null, framed(id), null, framed(id), null, framed(id + 7)),
                validation.checker("t1", topic, 3, 2)));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertEquals("SCHEMA_VALIDATION_FAILED: partition 3, batch 2, record at offset delta 2: schema id " + (id + 7)
                + " is not registered under subject 'orders-value'; nothing of the request was written", e.getStatus().getDescription());
        ErrorInfo info = StatusProto.fromThrowable(e).getDetails(0).unpack(ErrorInfo.class);
        assertEquals("SCHEMA_VALIDATION_FAILED", info.getReason());
        assertEquals(Map.of("partition", "3", "batch_index", "2", "offset_delta", "2", "part", "value",
                "subject", "orders-value", "schema_id", Integer.toString(id + 7)), info.getMetadataMap());

        // Tenant t2 has the same id under orders-value, but its topic is bound to 'elsewhere'.
        e = assertThrows(StatusRuntimeException.class, () -> ProducedBatch.validate(batch(CompressionCodec.NONE, null, framed(id)),
                validation.checker("t2", other, 0, 0)));
        assertTrue(e.getStatus().getDescription().contains("is not registered under subject 'elsewhere'"), e.getStatus().getDescription());

        // Keys are not checked on a value-only topic; with no validation there is no checker at all.
        ProducedBatch.validate(batch(CompressionCodec.NONE, "plain".getBytes(), framed(id)), validation.checker("t1", topic, 0, 0));
        assertNull(validation.checker("t1", topics.create("t1", "free", 1, Map.of()), 0, 0));
    }

    @Test
    void topicConfigKeysAreValidatedAndSubjectsDefaultToTheTopicName() {
        TopicConfig config = TopicConfig.of(Map.of("key.schema.validation", "true"));
        assertTrue(config.keySchemaValidation());
        assertEquals(false, config.valueSchemaValidation());
        assertEquals("orders-key", config.keySchemaSubject("orders"));
        assertEquals("orders-value", config.valueSchemaSubject("orders"));
        assertEquals("k", TopicConfig.of(Map.of("key.schema.subject", "k")).keySchemaSubject("orders"));
        assertEquals("false", TopicConfig.DEFAULT.effective().get("value.schema.validation"));
        for (Map<String, String> bad : java.util.List.of(Map.of("value.schema.validation", "yes"), Map.of("key.schema.validation", "1"),
                Map.of("value.schema.subject", "a\nb"), Map.of("key.schema.subject", "x".repeat(1001)),
                Map.of("value.schema.subject", ":.ctx:orders"))) {
            LogException e = assertThrows(LogException.class, () -> TopicConfig.of(bad), bad.toString());
            assertEquals(LogErrorCode.INVALID_CONFIG, e.code());
        }
    }
}
