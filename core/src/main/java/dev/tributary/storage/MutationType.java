package dev.tributary.storage;

/**
 * Atomic mutations: applied at commit time against the latest committed value, without adding a
 * read conflict, so that hot counters and maxima do not make transactions conflict. Semantics and
 * operand encoding are FoundationDB's (little-endian integers for ADD/MAX/MIN).
 */
public enum MutationType {
    /** Little-endian integer addition; a missing value counts as zero, the result takes the operand's length. */
    ADD,
    BIT_AND,
    BIT_OR,
    BIT_XOR,
    /** Little-endian unsigned integer maximum; a missing value takes the operand. */
    MAX,
    /** Little-endian unsigned integer minimum; a missing value takes the operand. */
    MIN,
    /** Lexicographic maximum of byte strings. */
    BYTE_MAX,
    /** Lexicographic minimum of byte strings. */
    BYTE_MIN,
    /** Clears the key if its value equals the operand. */
    COMPARE_AND_CLEAR,
    /**
     * The key carries a 10-byte placeholder whose position is given by its last 4 bytes
     * (little-endian offset, as {@code Tuple.packWithVersionstamp} produces); the placeholder is
     * replaced by the transaction's versionstamp at commit.
     */
    SET_VERSIONSTAMPED_KEY,
    /** As {@link #SET_VERSIONSTAMPED_KEY}, for the value. */
    SET_VERSIONSTAMPED_VALUE
}
