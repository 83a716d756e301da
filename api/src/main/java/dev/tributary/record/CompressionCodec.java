package dev.tributary.record;

/**
 * Compression of a batch's records section, stored in bits 0-2 of the batch attributes. Ids are
 * part of the format and never reused. Only {@link #NONE} is implemented; the others are reserved
 * so that a later producer can compress without a format change.
 */
public enum CompressionCodec {
    NONE(0, true),
    LZ4(1, false),
    ZSTD(2, false);

    /** Attribute bits that hold the codec id. */
    static final int MASK = 0x07;

    private final int id;
    private final boolean supported;

    CompressionCodec(int id, boolean supported) {
        this.id = id;
        this.supported = supported;
    }

    public int id() {
        return id;
    }

    /** Whether this version can read and write batches with this codec. */
    public boolean supported() {
        return supported;
    }

    /** The codec with {@code id}, or null when the id is not assigned. */
    public static CompressionCodec fromId(int id) {
        for (CompressionCodec c : values()) {
            if (c.id == id) {
                return c;
            }
        }
        return null;
    }
}
