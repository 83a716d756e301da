package dev.tributary.client.serde.avro;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.client.TributaryException;
import dev.tributary.client.internal.TokenSource;
import dev.tributary.client.internal.schema.RestSchemaRegistry;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.junit.jupiter.api.Test;

/** The Avro body of the wire format, and what the serdes do before they need the registry. */
class AvroEncodingTest {
    static final Schema ORDER_V1 = new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"TestOrder\","
            + "\"namespace\":\"dev.tributary.client.serde.avro\",\"fields\":[{\"name\":\"id\",\"type\":\"string\"}]}");

    @Test
    void genericRecordBodyIsPlainAvroBinary() throws Exception {
        GenericRecord order = new GenericData.Record(ORDER_V1);
        order.put("id", "o-1");
        byte[] body = AvroSerializer.encode(ORDER_V1, order);
        // Avro's own encoder must produce the same bytes: the wire format carries nothing else.
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(expected, null);
        new GenericDatumWriter<GenericRecord>(ORDER_V1).write(order, encoder);
        encoder.flush();
        assertArrayEquals(expected.toByteArray(), body);
        assertArrayEquals(new byte[] {6, 'o', '-', '1'}, body); // zig-zag length 3, then UTF-8

        Object back = AvroDeserializer.decode(AvroDeserializer.reader(ORDER_V1, false, SpecificData.get()),
                WireFormat.frame(7, body), WireFormat.HEADER_SIZE, 7);
        GenericRecord read = assertInstanceOf(GenericRecord.class, back);
        assertEquals("o-1", read.get("id").toString());
    }

    @Test
    void specificReaderFillsTheGeneratedClassAndItsDefaults() {
        GenericRecord old = new GenericData.Record(ORDER_V1);
        old.put("id", "o-2");
        byte[] body = AvroSerializer.encode(ORDER_V1, old);
        Object back = AvroDeserializer.decode(AvroDeserializer.reader(ORDER_V1, true, new SpecificData(getClass().getClassLoader())),
                body, 0, 1);
        TestOrder order = assertInstanceOf(TestOrder.class, back);
        assertEquals("o-2", order.id());
        assertEquals(1, order.qty()); // the reader's default for a field the writer did not have

        byte[] specific = AvroSerializer.encode(TestOrder.SCHEMA$, new TestOrder("o-3", 5));
        TestOrder again = (TestOrder) AvroDeserializer.decode(AvroDeserializer.reader(TestOrder.SCHEMA$, true,
                new SpecificData(getClass().getClassLoader())), specific, 0, 2);
        assertEquals("o-3", again.id());
        assertEquals(5, again.qty());
    }

    @Test
    void specificReaderWithoutAGeneratedClassFails() {
        Schema unknown = new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"Nowhere\",\"namespace\":\"no.such\",\"fields\":[]}");
        TributaryException e = assertThrows(TributaryException.class, () -> AvroDeserializer.reader(unknown, true, SpecificData.get()));
        assertEquals(TributaryException.SERIALIZATION, e.code());
    }

    @Test
    void primitivesRoundTrip() {
        for (Object value : new Object[] {true, 42, 42L, 1.5f, 2.5d, "text"}) {
            Schema schema = AvroSerializer.schemaOf(value);
            Object back = AvroDeserializer.decode(AvroDeserializer.reader(schema, false, SpecificData.get()),
                    AvroSerializer.encode(schema, value), 0, 1);
            assertEquals(value, back, schema.getType().toString());
        }
        byte[] bytes = {1, 2, 3};
        assertEquals(Schema.Type.BYTES, AvroSerializer.schemaOf(bytes).getType());
        assertArrayEquals(bytes, (byte[]) AvroDeserializer.decode(AvroDeserializer.reader(Schema.create(Schema.Type.BYTES), false,
                SpecificData.get()), AvroSerializer.encode(Schema.create(Schema.Type.BYTES), bytes), 0, 1));
        TributaryException e = assertThrows(TributaryException.class, () -> AvroSerializer.schemaOf(new Object()));
        assertEquals(TributaryException.SERIALIZATION, e.code());
    }

    @Test
    void recordNotFittingTheSchemaFailsAsSerialization() {
        GenericRecord order = new GenericData.Record(ORDER_V1); // id left null, but it is a non-null string
        TributaryException e = assertThrows(TributaryException.class, () -> AvroSerializer.encode(ORDER_V1, order));
        assertEquals(TributaryException.SERIALIZATION, e.code());
    }

    @Test
    void nullAndBadPayloadsNeedNoRegistry() throws Exception {
        // A registry nobody listens at: any call to it would fail with TRANSPORT.
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        RestSchemaRegistry nowhere = new RestSchemaRegistry(HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build(),
                TokenSource.fixed("t"), URI.create("http://127.0.0.1:" + port + "/schema-registry"));
        AvroSerializer<Object> serializer = new AvroSerializer<>(nowhere, Map.of(), false);
        AvroDeserializer<Object> deserializer = new AvroDeserializer<>(nowhere, Map.of());
        assertNull(serializer.serialize("orders", null));
        assertNull(deserializer.deserialize("orders", null));
        TributaryException bad = assertThrows(TributaryException.class, () -> deserializer.deserialize("orders", new byte[] {1, 0, 0, 0, 1}));
        assertEquals(TributaryException.SERIALIZATION, bad.code());
        assertEquals(0, nowhere.requestCount());

        TributaryException unreachable = assertThrows(TributaryException.class, () -> serializer.serialize("orders", "x"));
        assertEquals(TributaryException.TRANSPORT, unreachable.code());
        assertTrue(unreachable.retriable());
        assertEquals(1, nowhere.requestCount());
    }
}
