package dev.tributary.record;

import dev.tributary.record.InvalidRecordBatchException.Reason;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.zip.CRC32C;

/**
 * A validated record batch: the unit a producer sends and the log stores (layout in
 * docs/record-format.md, modelled on Kafka's RecordBatch v2).
 *
 * <p>{@link #parse} checks everything before returning: lengths, format version, CRC32C,
 * attributes, every record's framing, offset deltas and timestamps. Anything malformed fails with
 * {@link InvalidRecordBatchException} and a {@link Reason}, so iterating a parsed batch cannot fail.
 *
 * <p>The CRC covers the bytes from the attributes to the end, as stored (compressed records
 * included), and deliberately not the base offset, the length or the format version: the server
 * assigns the base offset with {@link #setBaseOffset} in place, without re-encoding records or
 * recomputing the CRC.
 *
 * <p>A batch compressed with {@link CompressionCodec#LZ4} or {@link CompressionCodec#ZSTD} is
 * decompressed once by {@link #parse}, which validates the records inside exactly as for an
 * uncompressed batch and keeps the decompressed records for iteration; the header fields,
 * {@link #toByteArray()} and {@link #sizeInBytes()} are those of the stored (compressed) batch.
 *
 * <p>The batch keeps a reference to the array it was parsed from; it does not copy it.
 */
public final class RecordBatch implements Iterable<Record> {
    /** The only format version (magic byte) this code reads and writes. */
    public static final byte FORMAT_VERSION = 1;

    static final int BASE_OFFSET_OFFSET = 0;
    static final int LENGTH_OFFSET = 8;
    static final int MAGIC_OFFSET = 12;
    static final int CRC_OFFSET = 13;
    static final int ATTRIBUTES_OFFSET = 17;
    static final int LAST_OFFSET_DELTA_OFFSET = 19;
    static final int BASE_TIMESTAMP_OFFSET = 23;
    static final int MAX_TIMESTAMP_OFFSET = 31;
    static final int PRODUCER_ID_OFFSET = 39;
    static final int PRODUCER_EPOCH_OFFSET = 47;
    static final int BASE_SEQUENCE_OFFSET = 49;
    static final int RECORD_COUNT_OFFSET = 53;
    /** Bytes of the fixed header; the records follow. */
    public static final int HEADER_BYTES = 57;
    /** Bytes before the length field's coverage begins (base offset + length). */
    static final int LOG_OVERHEAD = 12;
    /** A record is at least 7 bytes: length, attributes, 2 deltas, key and value lengths, header count. */
    static final int MIN_RECORD_BYTES = 7;
    /**
     * The most bytes the records section of a compressed batch may decompress to (64 MiB). A
     * format limit, the same for every reader, so that a batch one reader accepts every reader
     * accepts; it bounds what a small compressed batch (a decompression bomb) can make a reader
     * allocate. Produced batches are far smaller: the server's max.message.bytes bounds the
     * stored size, and typical data compresses 2-10 times.
     */
    public static final int MAX_UNCOMPRESSED_RECORDS_BYTES = 64 * 1024 * 1024;

    /** Producer id, epoch and base sequence when the producer is not idempotent. */
    public static final long NO_PRODUCER_ID = -1L;
    public static final short NO_PRODUCER_EPOCH = -1;
    public static final int NO_SEQUENCE = -1;

    private final byte[] buf;
    private final int start;
    private final int size;
    private final CompressionCodec compression;
    /** The records section, uncompressed: a range of {@link #buf}, or the decompressed copy. */
    private final byte[] records;
    private final int recordsFrom;
    private final int recordsTo;

    private RecordBatch(byte[] buf, int start, int size, CompressionCodec compression, byte[] records, int recordsFrom,
            int recordsTo) {
        this.buf = buf;
        this.start = start;
        this.size = size;
        this.compression = compression;
        this.records = records;
        this.recordsFrom = recordsFrom;
        this.recordsTo = recordsTo;
    }

    public static RecordBatchBuilder builder() {
        return new RecordBatchBuilder();
    }

    /** Parses and validates a batch that occupies all of {@code bytes}. */
    public static RecordBatch parse(byte[] bytes) {
        return parse(bytes, 0, bytes.length);
    }

    /** Parses and validates a batch that occupies exactly {@code bytes[offset, offset + length)}. */
    public static RecordBatch parse(byte[] bytes, int offset, int length) {
        if (offset < 0 || length < 0 || offset > bytes.length - length) {
            throw new IllegalArgumentException("range [" + offset + ", +" + length + ") outside an array of " + bytes.length);
        }
        if (length < HEADER_BYTES) {
            throw new InvalidRecordBatchException(Reason.TRUNCATED,
                    "batch of " + length + " bytes is shorter than the " + HEADER_BYTES + "-byte header");
        }
        int declared = getInt(bytes, offset + LENGTH_OFFSET);
        if ((long) declared + LOG_OVERHEAD != length) {
            Reason reason = (long) declared + LOG_OVERHEAD > length ? Reason.TRUNCATED : Reason.LENGTH_MISMATCH;
            throw new InvalidRecordBatchException(reason, "length field says " + declared + " bytes follow it, but "
                    + (length - LOG_OVERHEAD) + " do");
        }
        byte magic = bytes[offset + MAGIC_OFFSET];
        if (magic != FORMAT_VERSION) {
            throw new InvalidRecordBatchException(Reason.UNSUPPORTED_FORMAT_VERSION,
                    "format version " + magic + " (this version reads " + FORMAT_VERSION + ")");
        }
        int storedCrc = getInt(bytes, offset + CRC_OFFSET);
        int actualCrc = crc(bytes, offset + ATTRIBUTES_OFFSET, offset + length);
        if (storedCrc != actualCrc) {
            throw new InvalidRecordBatchException(Reason.CRC_MISMATCH, String.format(
                    "stored CRC32C %08x, computed %08x", storedCrc, actualCrc));
        }
        int attributes = getShort(bytes, offset + ATTRIBUTES_OFFSET) & 0xffff;
        if ((attributes & ~CompressionCodec.MASK) != 0) {
            throw new InvalidRecordBatchException(Reason.INVALID_ATTRIBUTES,
                    String.format("reserved batch attribute bits set: %04x", attributes));
        }
        CompressionCodec codec = CompressionCodec.fromId(attributes & CompressionCodec.MASK);
        if (codec == null || !codec.supported()) {
            throw new InvalidRecordBatchException(Reason.UNSUPPORTED_COMPRESSION, "compression codec id "
                    + (attributes & CompressionCodec.MASK) + (codec == null ? " is not assigned" : " (" + codec + ") is not supported yet"));
        }
        validateProducerState(bytes, offset);
        int count = getInt(bytes, offset + RECORD_COUNT_OFFSET);
        RecordBatch batch;
        if (codec == CompressionCodec.NONE) {
            checkRecordCount(count, length - HEADER_BYTES);
            batch = new RecordBatch(bytes, offset, length, codec, bytes, offset + HEADER_BYTES, offset + length);
        } else {
            int sectionFrom = offset + HEADER_BYTES;
            if (length - HEADER_BYTES < RecordsCompression.UNCOMPRESSED_LENGTH_BYTES) {
                throw new InvalidRecordBatchException(Reason.TRUNCATED, "a " + codec + " records section needs "
                        + RecordsCompression.UNCOMPRESSED_LENGTH_BYTES + " bytes of uncompressed length, "
                        + (length - HEADER_BYTES) + " are present");
            }
            long uncompressed = getInt(bytes, sectionFrom) & 0xffffffffL;
            if (uncompressed > MAX_UNCOMPRESSED_RECORDS_BYTES) {
                throw new InvalidRecordBatchException(Reason.UNCOMPRESSED_SIZE_TOO_LARGE, "the " + codec
                        + " records section declares " + uncompressed + " uncompressed bytes, more than the "
                        + MAX_UNCOMPRESSED_RECORDS_BYTES + " a batch may hold");
            }
            // Before decompressing: a count the declared size cannot hold is rejected for free.
            checkRecordCount(count, (int) uncompressed);
            byte[] decompressed = RecordsCompression.decompress(codec, bytes,
                    sectionFrom + RecordsCompression.UNCOMPRESSED_LENGTH_BYTES, offset + length, (int) uncompressed);
            batch = new RecordBatch(bytes, offset, length, codec, decompressed, 0, decompressed.length);
        }
        batch.validateRecords();
        return batch;
    }

    /**
     * Sets the base offset of the batch at the start of {@code batch} in place. The CRC does not
     * cover it, so the batch stays valid; this is how the log assigns offsets on append.
     */
    public static void setBaseOffset(byte[] batch, long baseOffset) {
        setBaseOffset(batch, 0, baseOffset);
    }

    public static void setBaseOffset(byte[] batch, int offset, long baseOffset) {
        if (offset < 0 || batch.length - offset < HEADER_BYTES) {
            throw new IllegalArgumentException("no batch header at " + offset + " in an array of " + batch.length);
        }
        putLong(batch, offset + BASE_OFFSET_OFFSET, baseOffset);
    }

    /**
     * The total size of the batch that starts at {@code offset} according to its length field, or
     * -1 when fewer than the 12 bytes that hold it are present. For framing a sequence of batches.
     */
    public static long declaredSize(byte[] bytes, int offset) {
        if (offset < 0 || bytes.length - offset < LOG_OVERHEAD) {
            return -1;
        }
        return (long) getInt(bytes, offset + LENGTH_OFFSET) + LOG_OVERHEAD;
    }

    private static void validateProducerState(byte[] bytes, int offset) {
        long producerId = getLong(bytes, offset + PRODUCER_ID_OFFSET);
        short epoch = getShort(bytes, offset + PRODUCER_EPOCH_OFFSET);
        int sequence = getInt(bytes, offset + BASE_SEQUENCE_OFFSET);
        boolean absent = producerId == NO_PRODUCER_ID && epoch == NO_PRODUCER_EPOCH && sequence == NO_SEQUENCE;
        boolean present = producerId >= 0 && epoch >= 0 && sequence >= 0;
        if (!absent && !present) {
            throw new InvalidRecordBatchException(Reason.INVALID_PRODUCER_STATE, "producer id " + producerId
                    + ", epoch " + epoch + ", base sequence " + sequence
                    + ": either all -1 (no idempotence) or all non-negative");
        }
    }

    /** A forged count must not make a reader loop or allocate: at least 1, at most one per 7 bytes. */
    private static void checkRecordCount(int count, int recordBytes) {
        if (count <= 0 || count > recordBytes / MIN_RECORD_BYTES) {
            throw new InvalidRecordBatchException(Reason.INVALID_RECORD_COUNT, "record count " + count
                    + " is impossible for " + recordBytes + " bytes of records (at least 1, at most one per "
                    + MIN_RECORD_BYTES + " bytes)");
        }
    }

    /**
     * Walks every (uncompressed) record once without copying keys or values; the counts and
     * timestamps must agree. The record count was checked against the section's size already.
     */
    private void validateRecords() {
        int count = recordCount();
        int lastOffsetDelta = lastOffsetDelta();
        long baseTimestamp = baseTimestamp();
        long maxSeen = Long.MIN_VALUE;
        int previousDelta = -1;
        Varints.Cursor c = new Varints.Cursor(records, recordsFrom, recordsTo);
        for (int i = 0; i < count; i++) {
            if (c.remaining() == 0) {
                throw new InvalidRecordBatchException(Reason.INVALID_RECORD_COUNT,
                        "record count " + count + " but the records end after " + i);
            }
            RecordFields f = readRecord(c, i, false);
            if (f.offsetDelta <= previousDelta || f.offsetDelta > lastOffsetDelta) {
                throw new InvalidRecordBatchException(Reason.INVALID_OFFSET_DELTA, "record " + i + " has offset delta "
                        + f.offsetDelta + " after " + previousDelta + " (must increase, at most the last offset delta "
                        + lastOffsetDelta + ")");
            }
            if (i == 0 && f.offsetDelta != 0) {
                throw new InvalidRecordBatchException(Reason.INVALID_OFFSET_DELTA,
                        "the first record's offset delta is " + f.offsetDelta + ", not 0");
            }
            previousDelta = f.offsetDelta;
            long timestamp = recordTimestamp(baseTimestamp, f.timestampDelta, i);
            maxSeen = Math.max(maxSeen, timestamp);
        }
        if (c.remaining() != 0) {
            throw new InvalidRecordBatchException(Reason.INVALID_RECORD_COUNT,
                    c.remaining() + " bytes follow the " + count + " records the header announces");
        }
        if (previousDelta != lastOffsetDelta) {
            throw new InvalidRecordBatchException(Reason.INVALID_OFFSET_DELTA, "the last record's offset delta is "
                    + previousDelta + " but the header says " + lastOffsetDelta);
        }
        if (maxSeen != maxTimestamp()) {
            throw new InvalidRecordBatchException(Reason.INVALID_TIMESTAMP, "max timestamp " + maxTimestamp()
                    + " is not the largest record timestamp " + maxSeen);
        }
    }

    private static long recordTimestamp(long baseTimestamp, long delta, int index) {
        long ts = baseTimestamp + delta;
        if (((baseTimestamp ^ ts) & (delta ^ ts)) < 0) {
            throw new InvalidRecordBatchException(Reason.INVALID_TIMESTAMP,
                    "record " + index + ": base timestamp + delta overflows");
        }
        return ts;
    }

    /** Fields of one record; key/value/headers are materialised only when {@code materialise}. */
    private static final class RecordFields {
        int offsetDelta;
        long timestampDelta;
        byte[] key;
        byte[] value;
        List<RecordHeader> headers;
    }

    private static RecordFields readRecord(Varints.Cursor c, int index, boolean materialise) {
        String where = "record " + index;
        int length = c.readInt(where + " length");
        if (length < 0 || length > c.remaining()) {
            throw new InvalidRecordBatchException(length < 0 ? Reason.INVALID_RECORD_LENGTH : Reason.TRUNCATED,
                    where + " says it has " + length + " bytes, " + c.remaining() + " remain");
        }
        int outerLimit = c.limit;
        int end = c.pos + length;
        c.limit = end;
        RecordFields f = new RecordFields();
        byte attributes = c.readByte(where + " attributes");
        if (attributes != 0) {
            throw new InvalidRecordBatchException(Reason.INVALID_ATTRIBUTES,
                    where + " has reserved attribute bits set: " + attributes);
        }
        f.timestampDelta = c.readLong(where + " timestamp delta");
        f.offsetDelta = c.readInt(where + " offset delta");
        f.key = readBytes(c, where + " key", true, materialise);
        f.value = readBytes(c, where + " value", true, materialise);
        int headerCount = c.readInt(where + " header count");
        if (headerCount < 0 || headerCount > c.remaining() / 2) {
            throw new InvalidRecordBatchException(Reason.INVALID_FIELD_LENGTH,
                    where + " header count " + headerCount + " is impossible for the " + c.remaining() + " bytes left");
        }
        List<RecordHeader> headers = materialise ? new ArrayList<>(headerCount) : null;
        for (int h = 0; h < headerCount; h++) {
            String hw = where + " header " + h;
            int keyStart = c.pos;
            byte[] keyBytes = readBytes(c, hw + " key", false, true);
            String key = decodeUtf8(keyBytes, hw, keyStart);
            byte[] value = readBytes(c, hw + " value", true, materialise);
            if (materialise) {
                headers.add(new RecordHeader(key, value));
            }
        }
        f.headers = headers;
        if (c.pos != end) {
            throw new InvalidRecordBatchException(Reason.INVALID_RECORD_LENGTH,
                    where + " says it has " + length + " bytes but its fields take " + (length - (end - c.pos)));
        }
        c.limit = outerLimit;
        return f;
    }

    /** A length-prefixed byte field; -1 is null where allowed. Without {@code materialise}, skips it. */
    private static byte[] readBytes(Varints.Cursor c, String field, boolean nullable, boolean materialise) {
        int len = c.readInt(field + " length");
        if (len == -1 && nullable) {
            return null;
        }
        if (len < 0 || len > c.remaining()) {
            throw new InvalidRecordBatchException(Reason.INVALID_FIELD_LENGTH,
                    field + " length " + len + " with " + c.remaining() + " bytes left in the record"
                            + (nullable ? "" : " (null not allowed)"));
        }
        byte[] out = null;
        if (materialise) {
            out = new byte[len];
            System.arraycopy(c.buf, c.pos, out, 0, len);
        }
        c.pos += len;
        return out;
    }

    private static String decodeUtf8(byte[] bytes, String field, int at) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        try {
            CharBuffer chars = decoder.decode(ByteBuffer.wrap(bytes));
            return chars.toString();
        } catch (CharacterCodingException e) {
            throw new InvalidRecordBatchException(Reason.INVALID_HEADER_KEY, field + " at byte " + at + " is not valid UTF-8");
        }
    }

    static int crc(byte[] bytes, int from, int to) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, from, to - from);
        return (int) crc.getValue();
    }

    // --- header fields ---

    public long baseOffset() {
        return getLong(buf, start + BASE_OFFSET_OFFSET);
    }

    /** The offset of the last record: base offset + last offset delta. */
    public long lastOffset() {
        return baseOffset() + lastOffsetDelta();
    }

    public int lastOffsetDelta() {
        return getInt(buf, start + LAST_OFFSET_DELTA_OFFSET);
    }

    public byte formatVersion() {
        return buf[start + MAGIC_OFFSET];
    }

    /** The stored CRC32C, as an unsigned value. */
    public long crc() {
        return getInt(buf, start + CRC_OFFSET) & 0xffffffffL;
    }

    public int attributes() {
        return getShort(buf, start + ATTRIBUTES_OFFSET) & 0xffff;
    }

    public CompressionCodec compression() {
        return compression;
    }

    public long baseTimestamp() {
        return getLong(buf, start + BASE_TIMESTAMP_OFFSET);
    }

    public long maxTimestamp() {
        return getLong(buf, start + MAX_TIMESTAMP_OFFSET);
    }

    public long producerId() {
        return getLong(buf, start + PRODUCER_ID_OFFSET);
    }

    public short producerEpoch() {
        return getShort(buf, start + PRODUCER_EPOCH_OFFSET);
    }

    public int baseSequence() {
        return getInt(buf, start + BASE_SEQUENCE_OFFSET);
    }

    public int recordCount() {
        return getInt(buf, start + RECORD_COUNT_OFFSET);
    }

    /** Total encoded size in bytes as stored (compressed, for a compressed batch), header included. */
    public int sizeInBytes() {
        return size;
    }

    /**
     * Bytes of the records section once decompressed: {@code sizeInBytes() - HEADER_BYTES} for an
     * uncompressed batch. What iterating the batch reads, and what it costs in memory once parsed.
     */
    public int uncompressedRecordsSizeInBytes() {
        return recordsTo - recordsFrom;
    }

    /** Whether the offset deltas are exactly 0..count-1, as a producer writes them (no gaps from compaction). */
    public boolean hasDenseOffsets() {
        return lastOffsetDelta() == recordCount() - 1;
    }

    /** A copy of the encoded batch, as stored (still compressed, for a compressed batch). */
    public byte[] toByteArray() {
        byte[] out = new byte[size];
        System.arraycopy(buf, start, out, 0, size);
        return out;
    }

    /** Decodes every record (keys, values and headers are copied out of the batch). */
    public List<Record> records() {
        List<Record> out = new ArrayList<>(recordCount());
        for (Record r : this) {
            out.add(r);
        }
        return out;
    }

    @Override
    public Iterator<Record> iterator() {
        long baseOffset = baseOffset();
        long baseTimestamp = baseTimestamp();
        int count = recordCount();
        Varints.Cursor c = new Varints.Cursor(records, recordsFrom, recordsTo);
        return new Iterator<>() {
            private int index;

            @Override
            public boolean hasNext() {
                return index < count;
            }

            @Override
            public Record next() {
                if (index >= count) {
                    throw new NoSuchElementException();
                }
                RecordFields f = readRecord(c, index, true);
                index++;
                return new Record(baseOffset + f.offsetDelta, baseTimestamp + f.timestampDelta, f.key, f.value, f.headers);
            }
        };
    }

    @Override
    public String toString() {
        return "RecordBatch[baseOffset=" + baseOffset() + ", lastOffsetDelta=" + lastOffsetDelta() + ", records="
                + recordCount() + ", bytes=" + size + ", maxTimestamp=" + maxTimestamp() + ", compression=" + compression
                + (compression == CompressionCodec.NONE ? "" : ", uncompressedRecordsBytes=" + uncompressedRecordsSizeInBytes())
                + "]";
    }

    // --- big-endian fixed-width fields ---

    static long getLong(byte[] b, int i) {
        return ((long) getInt(b, i) << 32) | (getInt(b, i + 4) & 0xffffffffL);
    }

    static int getInt(byte[] b, int i) {
        return ((b[i] & 0xff) << 24) | ((b[i + 1] & 0xff) << 16) | ((b[i + 2] & 0xff) << 8) | (b[i + 3] & 0xff);
    }

    static short getShort(byte[] b, int i) {
        return (short) (((b[i] & 0xff) << 8) | (b[i + 1] & 0xff));
    }

    static void putLong(byte[] b, int i, long v) {
        putInt(b, i, (int) (v >>> 32));
        putInt(b, i + 4, (int) v);
    }

    static void putInt(byte[] b, int i, int v) {
        b[i] = (byte) (v >>> 24);
        b[i + 1] = (byte) (v >>> 16);
        b[i + 2] = (byte) (v >>> 8);
        b[i + 3] = (byte) v;
    }

    static void putShort(byte[] b, int i, short v) {
        b[i] = (byte) (v >>> 8);
        b[i + 1] = (byte) v;
    }
}
