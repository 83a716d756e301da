package dev.tributary.record;

/**
 * Compression of a batch's records section, stored in bits 0-2 of the batch attributes. Ids are
 * part of the format and never reused; ids 3-7 are unassigned and rejected with
 * {@code UNSUPPORTED_COMPRESSION}.
 *
 * <p>Only the records section is compressed; the 57-byte header stays readable without
 * decompressing. A compressed records section is the uncompressed length (4 bytes, big-endian,
 * unsigned, at most {@link RecordBatch#MAX_UNCOMPRESSED_RECORDS_BYTES}) followed by the payload:
 * <ul>
 *   <li>{@link #LZ4}: one LZ4 block in the LZ4 block format (no frame, no checksum of its own);
 *   <li>{@link #ZSTD}: a Zstandard stream (RFC 8878) of one or more frames, without a dictionary;
 *       written as one frame at level 3.
 * </ul>
 * The batch CRC covers the stored (compressed) bytes. Details in docs/record-format.md.
 */
public enum CompressionCodec {
    NONE(0, true),
    LZ4(1, true),
    ZSTD(2, true);

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
