package dev.tributary.record;

import java.util.Arrays;
import java.util.Objects;

/**
 * One record header: a UTF-8 string key (not null) and a byte value (may be null). Arrays are not
 * copied: do not modify them after handing them over.
 */
public record RecordHeader(String key, byte[] value) {

    public RecordHeader {
        Objects.requireNonNull(key, "header key must not be null");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RecordHeader other && key.equals(other.key) && Arrays.equals(value, other.value);
    }

    @Override
    public int hashCode() {
        return 31 * key.hashCode() + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return "RecordHeader[" + key + "=" + (value == null ? "null" : value.length + " bytes") + "]";
    }
}
