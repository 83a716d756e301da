package dev.tributary.storage;

import java.util.Arrays;

/** One key and its value, as returned by range reads. Arrays are owned by the caller. */
public record KeyValue(byte[] key, byte[] value) {

    @Override
    public boolean equals(Object o) {
        return o instanceof KeyValue other && Arrays.equals(key, other.key) && Arrays.equals(value, other.value);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(key) + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return "KeyValue[" + Keys.printable(key) + " = " + Keys.printable(value) + "]";
    }
}
