package dev.tributary.client.serde.avro;

import dev.tributary.client.TributaryException;
import dev.tributary.client.schema.SchemaRegistry;
import dev.tributary.client.schema.SchemaRegistry.RegisteredSchema;
import dev.tributary.client.serde.Serializer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import org.apache.avro.generic.GenericContainer;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

/**
 * Avro in the schema registry's wire format (magic byte 0, the 4-byte schema id, the Avro binary
 * encoding), like Confluent's KafkaAvroSerializer: GenericRecords, SpecificRecords, enums and
 * fixed, and the primitives (null stays null; Boolean, Integer, Long, Float, Double, CharSequence,
 * byte[] and ByteBuffer as Avro's primitive types). The subject is the topic's ({@code
 * <topic>-key} or {@code <topic>-value}, TopicNameStrategy).
 *
 * <p>The schema's id is asked of the registry once per subject and schema (registered with {@code
 * auto.register.schemas}, else looked up), then cached: serializing in steady state makes no
 * calls. With {@code use.latest.version} the subject's latest schema is fetched once and every
 * record is written with it; the record must fit it (same fields in the same order). A refusal
 * (409 incompatible, 40401/40403 not registered, 40301 not allowed) is thrown as the registry's
 * {@link TributaryException}; the producer's {@code send} wraps it as the cause of a {@code
 * SERIALIZATION} failure. Thread-safe.
 */
public final class AvroSerializer<T> implements Serializer<T> {
    private static final EncoderFactory ENCODERS = EncoderFactory.get();

    private final SchemaRegistry registry;
    private final AvroSerdeConfig config;
    private final boolean isKey;
    /** subject -> schema -> id. */
    private final Map<String, Map<Schema, Integer>> ids = new ConcurrentHashMap<>();
    private final Map<Integer, Schema> parsed = new ConcurrentHashMap<>();

    /**
     * @param registry the client's registry ({@code client.schemaRegistry()})
     * @param config the settings
     * @param isKey whether this serializes keys (subject {@code <topic>-key}) or values ({@code <topic>-value})
     */
    public AvroSerializer(SchemaRegistry registry, AvroSerdeConfig config, boolean isKey) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.config = Objects.requireNonNull(config, "config");
        this.isKey = isKey;
    }

    /** With Kafka-style settings ({@link AvroSerdeConfig#fromMap}). */
    public AvroSerializer(SchemaRegistry registry, Map<String, ?> configs, boolean isKey) {
        this(registry, AvroSerdeConfig.fromMap(configs), isKey);
    }

    @Override
    public byte[] serialize(String topic, T data) {
        if (data == null) {
            return null;
        }
        String subject = AvroSerdeConfig.subject(topic, isKey);
        Schema schema;
        int id;
        if (config.useLatestVersion()) {
            RegisteredSchema latest = registry.latest(subject);
            id = latest.id();
            schema = parsed.computeIfAbsent(id, i -> parse(latest.schema(), i));
        } else {
            schema = schemaOf(data);
            Map<Schema, Integer> bySchema = ids.computeIfAbsent(subject, s -> new ConcurrentHashMap<>());
            Integer known = bySchema.get(schema);
            if (known == null) {
                String text = schema.toString();
                known = config.autoRegisterSchemas() ? registry.register(subject, text) : registry.lookup(subject, text).id();
                bySchema.put(schema, known);
            }
            id = known;
        }
        return WireFormat.frame(id, encode(schema, data));
    }

    /** The Avro binary encoding of a datum with a schema (no header). */
    static byte[] encode(Schema schema, Object data) {
        Object datum = data instanceof byte[] bytes ? ByteBuffer.wrap(bytes) : data;
        DatumWriter<Object> writer = datum instanceof SpecificRecord ? new SpecificDatumWriter<>(schema) : new GenericDatumWriter<>(schema);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = ENCODERS.directBinaryEncoder(out, null);
        try {
            writer.write(datum, encoder);
            encoder.flush();
        } catch (IOException | RuntimeException e) {
            throw new TributaryException(TributaryException.SERIALIZATION, "cannot encode a " + data.getClass().getName()
                    + " with the schema " + schema.getFullName() + ": " + e.getMessage(), e);
        }
        return out.toByteArray();
    }

    /** The schema of a datum: its own for records, enums and fixed; Avro's primitive type for the primitives. */
    static Schema schemaOf(Object data) {
        if (data instanceof GenericContainer container) {
            return container.getSchema();
        }
        Schema.Type type;
        if (data instanceof Boolean) {
            type = Schema.Type.BOOLEAN;
        } else if (data instanceof Integer) {
            type = Schema.Type.INT;
        } else if (data instanceof Long) {
            type = Schema.Type.LONG;
        } else if (data instanceof Float) {
            type = Schema.Type.FLOAT;
        } else if (data instanceof Double) {
            type = Schema.Type.DOUBLE;
        } else if (data instanceof CharSequence) {
            type = Schema.Type.STRING;
        } else if (data instanceof byte[] || data instanceof ByteBuffer) {
            type = Schema.Type.BYTES;
        } else {
            throw new TributaryException(TributaryException.SERIALIZATION, "no Avro schema for a " + data.getClass().getName()
                    + ": serialize GenericRecords, SpecificRecords or primitives");
        }
        return Schema.create(type);
    }

    static Schema parse(String text, int id) {
        try {
            return new Schema.Parser().parse(text);
        } catch (SchemaParseException e) {
            throw new TributaryException(TributaryException.SERIALIZATION, "schema " + id + " from the registry is not valid Avro: "
                    + e.getMessage(), e);
        }
    }
}
