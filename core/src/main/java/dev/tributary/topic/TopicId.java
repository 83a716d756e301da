package dev.tributary.topic;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A topic's immutable identity: 16 random bytes chosen at creation. Data keys use the id, never
 * the name, so a topic deleted and created again under the same name starts from an empty log.
 */
public final class TopicId {
    public static final int BYTES = 16;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final HexFormat HEX = HexFormat.of();

    private final byte[] bytes;

    private TopicId(byte[] bytes) {
        this.bytes = bytes;
    }

    public static TopicId random() {
        byte[] b = new byte[BYTES];
        RANDOM.nextBytes(b);
        return new TopicId(b);
    }

    public static TopicId of(byte[] bytes) {
        if (bytes == null || bytes.length != BYTES) {
            throw new IllegalArgumentException("a topic id is " + BYTES + " bytes");
        }
        return new TopicId(bytes.clone());
    }

    /** Parses the 32-character lowercase hex form that {@link #toString()} produces. */
    public static TopicId parse(String hex) {
        if (hex == null || hex.length() != 2 * BYTES) {
            throw new IllegalArgumentException("a topic id is " + 2 * BYTES + " hex characters");
        }
        return new TopicId(HEX.parseHex(hex));
    }

    public byte[] toBytes() {
        return bytes.clone();
    }

    /** The array itself, for key building inside this layer; never modified. */
    byte[] unsafeBytes() {
        return bytes;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TopicId other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return HEX.formatHex(bytes);
    }
}
