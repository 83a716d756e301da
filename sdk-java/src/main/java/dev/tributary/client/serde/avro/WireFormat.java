package dev.tributary.client.serde.avro;

import dev.tributary.client.TributaryException;
import java.nio.ByteBuffer;

/**
 * Confluent's wire format, which the broker's subject validation checks too: magic byte 0, the
 * schema id as 4 bytes big-endian, then the Avro binary encoding.
 */
public final class WireFormat {
    public static final byte MAGIC = 0;
    public static final int HEADER_SIZE = 5;

    private WireFormat() {}

    /** The header followed by {@code body}. */
    public static byte[] frame(int schemaId, byte[] body) {
        return ByteBuffer.allocate(HEADER_SIZE + body.length).put(MAGIC).putInt(schemaId).put(body).array();
    }

    /** The schema id of a framed payload; SERIALIZATION if it is too short or its magic byte is not 0. */
    public static int schemaId(byte[] payload) {
        if (payload.length < HEADER_SIZE) {
            throw new TributaryException(TributaryException.SERIALIZATION, "not in the schema registry's wire format: " + payload.length
                    + " bytes, fewer than the 5-byte header");
        }
        if (payload[0] != MAGIC) {
            throw new TributaryException(TributaryException.SERIALIZATION, "not in the schema registry's wire format: magic byte "
                    + payload[0] + ", not 0");
        }
        return ByteBuffer.wrap(payload, 1, 4).getInt();
    }
}
