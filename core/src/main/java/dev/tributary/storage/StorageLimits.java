package dev.tributary.storage;

/**
 * FoundationDB's limits, enforced by every backend with the same checks and the same errors, so that
 * layer code that fits on the embedded store fits on FoundationDB.
 */
public final class StorageLimits {
    public static final int MAX_KEY_BYTES = 10_000;
    public static final int MAX_VALUE_BYTES = 100_000;
    /** Mutations plus read and write conflict ranges, as FoundationDB counts them. */
    public static final long MAX_TRANSACTION_BYTES = 10_000_000L;
    /** How long after its read version a transaction may still read or commit. */
    public static final long MAX_TRANSACTION_AGE_MILLIS = 5_000L;
    /** Outstanding watches per store. */
    public static final int MAX_WATCHES = 10_000;
    /** Length of a transaction versionstamp: 8-byte commit version + 2-byte order within the commit batch. */
    public static final int VERSIONSTAMP_BYTES = 10;

    private StorageLimits() {}

    public static void checkKey(byte[] key) {
        if (key == null) {
            throw new StorageException(StorageErrorCode.INVALID_MUTATION, "key must not be null");
        }
        if (key.length > MAX_KEY_BYTES) {
            throw new StorageException(StorageErrorCode.KEY_TOO_LARGE,
                    "key of " + key.length + " bytes exceeds the limit of " + MAX_KEY_BYTES + " bytes");
        }
    }

    /** A key that is written: within the size limit and outside the system space. */
    public static void checkWritableKey(byte[] key) {
        checkKey(key);
        if (Keys.isSystemKey(key)) {
            throw new StorageException(StorageErrorCode.KEY_OUTSIDE_LEGAL_RANGE,
                    "key " + Keys.printable(key) + " is in the reserved system space (0xff prefix)");
        }
    }

    public static void checkValue(byte[] value) {
        if (value == null) {
            throw new StorageException(StorageErrorCode.INVALID_MUTATION, "value must not be null");
        }
        if (value.length > MAX_VALUE_BYTES) {
            throw new StorageException(StorageErrorCode.VALUE_TOO_LARGE,
                    "value of " + value.length + " bytes exceeds the limit of " + MAX_VALUE_BYTES + " bytes");
        }
    }

    /** A key that is read: within the size limit and outside the system space. */
    public static void checkReadableKey(byte[] key) {
        checkWritableKey(key);
    }

    /** Range bounds: begin must not be after end, both within the user space (end may be 0xff itself). */
    public static void checkRange(byte[] begin, byte[] end) {
        checkWritableKey(begin);
        if (end == null) {
            throw new StorageException(StorageErrorCode.INVALID_MUTATION, "range end must not be null");
        }
        if (end.length > MAX_KEY_BYTES + 1) {
            throw new StorageException(StorageErrorCode.KEY_TOO_LARGE,
                    "range end of " + end.length + " bytes exceeds the key limit");
        }
        if (Keys.compare(end, Keys.SYSTEM_PREFIX) > 0) {
            throw new StorageException(StorageErrorCode.KEY_OUTSIDE_LEGAL_RANGE,
                    "range end " + Keys.printable(end) + " reaches into the reserved system space (0xff prefix)");
        }
        if (Keys.compare(begin, end) > 0) {
            throw new StorageException(StorageErrorCode.INVERTED_RANGE,
                    "range begin " + Keys.printable(begin) + " is after its end " + Keys.printable(end));
        }
    }

    /** Throws TRANSACTION_TOO_LARGE when a transaction's accounted bytes pass the limit. */
    public static void checkTransactionSize(long bytes) {
        if (bytes > MAX_TRANSACTION_BYTES) {
            throw new StorageException(StorageErrorCode.TRANSACTION_TOO_LARGE,
                    "transaction of " + bytes + " bytes (mutations and conflict ranges) exceeds the limit of "
                            + MAX_TRANSACTION_BYTES + " bytes");
        }
    }
}
