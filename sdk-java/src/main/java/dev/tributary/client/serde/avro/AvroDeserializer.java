package dev.tributary.client.serde.avro;

import dev.tributary.client.TributaryException;
import dev.tributary.client.schema.SchemaRegistry;
import dev.tributary.client.serde.Deserializer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.util.Utf8;

/**
 * Reads what {@link AvroSerializer} (or Confluent's serializer) wrote: the schema id from the
 * 5-byte header, the writer's schema from the registry (once per id, then cached: ids are never
 * reused), then the Avro body. Records come back as GenericRecords, or with {@code
 * specific.avro.reader} as the generated SpecificRecord class named by the writer schema's full
 * name (read with that class's schema, so that data written with an older or newer compatible
 * schema still fits it); top-level strings as {@code String}, bytes as {@code byte[]}. Null stays
 * null. A payload not in the wire format fails with {@code SERIALIZATION}, an unknown id with the
 * registry's 40403. Thread-safe.
 */
public final class AvroDeserializer<T> implements Deserializer<T> {
    private static final DecoderFactory DECODERS = DecoderFactory.get();

    private final SchemaRegistry registry;
    private final AvroSerdeConfig config;
    private final SpecificData specificData;
    private final Map<Integer, DatumReader<Object>> readers = new ConcurrentHashMap<>();

    public AvroDeserializer(SchemaRegistry registry, AvroSerdeConfig config) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.config = Objects.requireNonNull(config, "config");
        // Generated classes live with the application, which may not be Avro's class loader.
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        this.specificData = loader == null ? SpecificData.get() : new SpecificData(loader);
    }

    /** With Kafka-style settings ({@link AvroSerdeConfig#fromMap}). */
    public AvroDeserializer(SchemaRegistry registry, Map<String, ?> configs) {
        this(registry, AvroSerdeConfig.fromMap(configs));
    }

    @Override
    @SuppressWarnings("unchecked")
    public T deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        int id = WireFormat.schemaId(data);
        DatumReader<Object> reader = readers.computeIfAbsent(id, this::reader);
        return (T) decode(reader, data, WireFormat.HEADER_SIZE, id);
    }

    private DatumReader<Object> reader(int id) {
        Schema writer = AvroSerializer.parse(registry.schemaById(id), id);
        return reader(writer, config.specificAvroReader(), specificData);
    }

    /** The reader for data written with {@code writer}: generic, or the generated class's for records. */
    static DatumReader<Object> reader(Schema writer, boolean specific, SpecificData specificData) {
        if (specific && writer.getType() == Schema.Type.RECORD) {
            Class<?> type = specificData.getClass(writer);
            if (type == null || type == Object.class) {
                throw new TributaryException(TributaryException.SERIALIZATION, "specific.avro.reader: no generated class "
                        + writer.getFullName() + " on the class path");
            }
            return new SpecificDatumReader<>(writer, specificData.getSchema(type), specificData);
        }
        return new GenericDatumReader<>(writer);
    }

    static Object decode(DatumReader<Object> reader, byte[] data, int offset, int id) {
        BinaryDecoder decoder = DECODERS.binaryDecoder(data, offset, data.length - offset, null);
        Object value;
        try {
            value = reader.read(null, decoder);
        } catch (IOException | RuntimeException e) {
            throw new TributaryException(TributaryException.SERIALIZATION, "cannot decode a payload written with schema " + id + ": "
                    + e.getMessage(), e);
        }
        if (value instanceof Utf8 utf8) {
            return utf8.toString();
        }
        if (value instanceof ByteBuffer buffer) {
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return bytes;
        }
        return value;
    }
}
