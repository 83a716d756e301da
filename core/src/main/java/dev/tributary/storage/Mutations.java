package dev.tributary.storage;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * FoundationDB's atomic-mutation semantics, for backends that apply mutations themselves (the
 * embedded store) and for read-your-writes of a pending mutation. Integers are little-endian; the
 * existing value is zero-padded or truncated to the operand's length; the result takes the
 * operand's length.
 */
public final class Mutations {
    private Mutations() {}

    /**
     * The value after applying {@code type} with {@code operand} to {@code existing} (null: not set).
     * Returns null when the mutation clears the key. Not for versionstamped types.
     */
    public static byte[] apply(MutationType type, byte[] existing, byte[] operand) {
        return switch (type) {
            case ADD -> existing == null ? operand.clone() : add(existing, operand);
            case BIT_AND -> existing == null ? operand.clone() : bitwise(existing, operand, 0);
            case BIT_OR -> existing == null ? operand.clone() : bitwise(existing, operand, 1);
            case BIT_XOR -> existing == null ? operand.clone() : bitwise(existing, operand, 2);
            case MAX -> existing == null ? operand.clone()
                    : (compareLittleEndian(fit(existing, operand.length), operand) >= 0 ? fit(existing, operand.length) : operand.clone());
            case MIN -> existing == null ? operand.clone()
                    : (compareLittleEndian(fit(existing, operand.length), operand) <= 0 ? fit(existing, operand.length) : operand.clone());
            case BYTE_MAX -> existing == null || Keys.compare(operand, existing) > 0 ? operand.clone() : existing;
            case BYTE_MIN -> existing == null || Keys.compare(operand, existing) < 0 ? operand.clone() : existing;
            case COMPARE_AND_CLEAR -> existing != null && Arrays.equals(existing, operand) ? null : existing;
            case SET_VERSIONSTAMPED_KEY, SET_VERSIONSTAMPED_VALUE ->
                    throw new IllegalArgumentException(type + " is applied at commit, not by value");
        };
    }

    /**
     * Checks a versionstamped operand (key or value template whose last 4 bytes are the
     * little-endian position of a 10-byte placeholder) and returns the placeholder position.
     */
    public static int versionstampOffset(byte[] template) {
        if (template.length < 4) {
            throw new StorageException(StorageErrorCode.INVALID_MUTATION,
                    "versionstamped operand of " + template.length + " bytes lacks its 4-byte offset suffix");
        }
        int offset = ByteBuffer.wrap(template, template.length - 4, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        int bodyLength = template.length - 4;
        if (offset < 0 || offset + StorageLimits.VERSIONSTAMP_BYTES > bodyLength) {
            throw new StorageException(StorageErrorCode.INVALID_MUTATION,
                    "versionstamp offset " + offset + " does not leave room for 10 bytes in an operand of "
                            + bodyLength + " bytes");
        }
        return offset;
    }

    /** The template without its offset suffix, with the 10-byte versionstamp written at its offset. */
    public static byte[] fillVersionstamp(byte[] template, byte[] versionstamp) {
        int offset = versionstampOffset(template);
        byte[] out = Arrays.copyOf(template, template.length - 4);
        System.arraycopy(versionstamp, 0, out, offset, StorageLimits.VERSIONSTAMP_BYTES);
        return out;
    }

    private static byte[] fit(byte[] value, int length) {
        return value.length == length ? value : Arrays.copyOf(value, length);
    }

    private static byte[] add(byte[] existing, byte[] operand) {
        byte[] out = new byte[operand.length];
        int carry = 0;
        for (int i = 0; i < operand.length; i++) {
            int a = i < existing.length ? existing[i] & 0xff : 0;
            int sum = a + (operand[i] & 0xff) + carry;
            out[i] = (byte) sum;
            carry = sum >>> 8;
        }
        return out;
    }

    private static byte[] bitwise(byte[] existing, byte[] operand, int op) {
        byte[] out = new byte[operand.length];
        for (int i = 0; i < operand.length; i++) {
            int a = i < existing.length ? existing[i] : 0;
            int b = operand[i];
            out[i] = (byte) (op == 0 ? a & b : op == 1 ? a | b : a ^ b);
        }
        return out;
    }

    /** Unsigned little-endian comparison of two equal-length byte strings. */
    private static int compareLittleEndian(byte[] a, byte[] b) {
        for (int i = a.length - 1; i >= 0; i--) {
            int c = Integer.compare(a[i] & 0xff, b[i] & 0xff);
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }
}
