package dev.tributary.record;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One record as read from a batch. {@code offset} is the batch's base offset plus the record's
 * offset delta (meaningful once the log assigned the base offset). A null {@code value} is a
 * tombstone for compaction; a null {@code key} has no key.
 */
public record Record(long offset, long timestamp, byte[] key, byte[] value, List<RecordHeader> headers) {

    public Record {
        headers = List.copyOf(Objects.requireNonNull(headers, "headers"));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Record other && offset == other.offset && timestamp == other.timestamp
                && Arrays.equals(key, other.key) && Arrays.equals(value, other.value) && headers.equals(other.headers);
    }

    @Override
    public int hashCode() {
        return Objects.hash(offset, timestamp, Arrays.hashCode(key), Arrays.hashCode(value), headers);
    }

    @Override
    public String toString() {
        return "Record[offset=" + offset + ", timestamp=" + timestamp
                + ", key=" + (key == null ? "null" : key.length + " bytes")
                + ", value=" + (value == null ? "null" : value.length + " bytes")
                + ", headers=" + headers + "]";
    }
}
