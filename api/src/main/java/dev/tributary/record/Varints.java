package dev.tributary.record;

import dev.tributary.record.InvalidRecordBatchException.Reason;

/**
 * Zigzag varints (protobuf's sint32/sint64, Kafka's record varints): small magnitudes of either
 * sign take few bytes. Reads are bounded by an explicit limit so that malformed input fails with a
 * reason, never with an index error. Only the sizes are public, for clients that must know a
 * record's encoded size before they append it (the SDK's producer).
 */
public final class Varints {
    static final int MAX_INT_BYTES = 5;
    static final int MAX_LONG_BYTES = 10;

    private Varints() {}

    /** Bytes of {@code value} as a zigzag varint (protobuf sint32). */
    public static int sizeOfInt(int value) {
        return sizeOfUnsigned(((value << 1) ^ (value >> 31)) & 0xffffffffL);
    }

    /** Bytes of {@code value} as a zigzag varlong (protobuf sint64). */
    public static int sizeOfLong(long value) {
        return sizeOfUnsigned((value << 1) ^ (value >> 63));
    }

    private static int sizeOfUnsigned(long v) {
        int n = 1;
        while ((v & ~0x7fL) != 0) {
            v >>>= 7;
            n++;
        }
        return n;
    }

    /** Writes {@code value} zigzag-encoded at {@code pos}; returns the position after it. */
    static int writeInt(byte[] buf, int pos, int value) {
        return writeUnsigned(buf, pos, ((value << 1) ^ (value >> 31)) & 0xffffffffL);
    }

    static int writeLong(byte[] buf, int pos, long value) {
        return writeUnsigned(buf, pos, (value << 1) ^ (value >> 63));
    }

    private static int writeUnsigned(byte[] buf, int pos, long v) {
        while ((v & ~0x7fL) != 0) {
            buf[pos++] = (byte) ((v & 0x7f) | 0x80);
            v >>>= 7;
        }
        buf[pos++] = (byte) v;
        return pos;
    }

    /** A cursor over {@code [pos, limit)} of a buffer; every read checks the limit. */
    static final class Cursor {
        final byte[] buf;
        int pos;
        int limit;

        Cursor(byte[] buf, int pos, int limit) {
            this.buf = buf;
            this.pos = pos;
            this.limit = limit;
        }

        int remaining() {
            return limit - pos;
        }

        byte readByte(String field) {
            if (pos >= limit) {
                throw new InvalidRecordBatchException(Reason.TRUNCATED, field + " at byte " + pos + " is past the end");
            }
            return buf[pos++];
        }

        int readInt(String field) {
            long raw = readUnsigned(field, MAX_INT_BYTES);
            if ((raw >>> 32) != 0) {
                throw new InvalidRecordBatchException(Reason.MALFORMED_VARINT, field + " does not fit 32 bits");
            }
            int v = (int) raw;
            return (v >>> 1) ^ -(v & 1);
        }

        long readLong(String field) {
            long v = readUnsigned(field, MAX_LONG_BYTES);
            return (v >>> 1) ^ -(v & 1);
        }

        private long readUnsigned(String field, int maxBytes) {
            long result = 0;
            int start = pos;
            for (int i = 0; i < maxBytes; i++) {
                if (pos >= limit) {
                    throw new InvalidRecordBatchException(Reason.MALFORMED_VARINT,
                            field + " varint starting at byte " + start + " runs past the end of its record");
                }
                byte b = buf[pos++];
                result |= (long) (b & 0x7f) << (7 * i);
                if ((b & 0x80) == 0) {
                    if (i == MAX_LONG_BYTES - 1 && (b & 0x7f) > 1) {
                        throw new InvalidRecordBatchException(Reason.MALFORMED_VARINT, field + " does not fit 64 bits");
                    }
                    return result;
                }
            }
            throw new InvalidRecordBatchException(Reason.MALFORMED_VARINT,
                    field + " varint starting at byte " + start + " is longer than " + maxBytes + " bytes");
        }
    }
}
