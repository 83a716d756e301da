package dev.tributary.record;

/**
 * A record batch that cannot be accepted: malformed, corrupted, truncated or using a feature this
 * version does not support. {@link #reason()} is stable and machine-readable; the message says
 * where and why, for a human.
 */
public final class InvalidRecordBatchException extends RuntimeException {

    /** Why a batch was rejected. Names are stable: servers put them into error details. */
    public enum Reason {
        /** Fewer bytes than the fixed header, or than a length field announces. */
        TRUNCATED,
        /** The batch length field disagrees with the number of bytes given. */
        LENGTH_MISMATCH,
        /** The format version (magic byte) is not one this code reads. */
        UNSUPPORTED_FORMAT_VERSION,
        /** The CRC32C over the covered bytes does not match the stored one: the batch was corrupted. */
        CRC_MISMATCH,
        /** A compression codec id that is not assigned (or not implemented by this version). */
        UNSUPPORTED_COMPRESSION,
        /**
         * A compressed records section declares more uncompressed bytes than a batch may hold
         * ({@link RecordBatch#MAX_UNCOMPRESSED_RECORDS_BYTES}): refused before decompressing.
         */
        UNCOMPRESSED_SIZE_TOO_LARGE,
        /** A compressed payload decodes to more or fewer bytes than its declared uncompressed length. */
        UNCOMPRESSED_SIZE_MISMATCH,
        /** A compressed payload is not valid data of its codec (LZ4 block, Zstandard frames). */
        CORRUPT_COMPRESSED_DATA,
        /** Reserved attribute bits (of the batch or of a record) are set. */
        INVALID_ATTRIBUTES,
        /** The record count is not positive, or disagrees with the records present. */
        INVALID_RECORD_COUNT,
        /** Offset deltas are not strictly increasing from 0, or disagree with the last offset delta. */
        INVALID_OFFSET_DELTA,
        /** A record timestamp overflows, or the max timestamp is not the largest record timestamp. */
        INVALID_TIMESTAMP,
        /** A varint runs past its maximum length or past the end of its record. */
        MALFORMED_VARINT,
        /** A record's length prefix is negative, or disagrees with the fields it contains. */
        INVALID_RECORD_LENGTH,
        /** A key, value or header length is below -1 (or below 0 where null is not allowed), or past the record's end. */
        INVALID_FIELD_LENGTH,
        /** A header key that is not valid UTF-8. */
        INVALID_HEADER_KEY,
        /** Producer id, epoch and base sequence are neither all absent (-1) nor all valid (non-negative). */
        INVALID_PRODUCER_STATE
    }

    private final Reason reason;

    public InvalidRecordBatchException(Reason reason, String message) {
        super(reason + ": " + message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
