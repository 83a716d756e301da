package dev.tributary.client.serde;

/** Turns a key or value into bytes. Null stays null (a null value is a tombstone on compacted topics). */
@FunctionalInterface
public interface Serializer<T> {
    byte[] serialize(String topic, T data);
}
