package dev.tributary.client.serde;

import java.nio.charset.StandardCharsets;

/** The serializers every application needs. */
public final class Serdes {
    private Serdes() {}

    public static Serializer<byte[]> bytesSerializer() {
        return (topic, data) -> data;
    }

    public static Deserializer<byte[]> bytesDeserializer() {
        return (topic, data) -> data;
    }

    /** UTF-8. */
    public static Serializer<String> stringSerializer() {
        return (topic, data) -> data == null ? null : data.getBytes(StandardCharsets.UTF_8);
    }

    /** UTF-8 (malformed input is replaced, never fails). */
    public static Deserializer<String> stringDeserializer() {
        return (topic, data) -> data == null ? null : new String(data, StandardCharsets.UTF_8);
    }
}
