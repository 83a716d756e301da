package dev.tributary.client.admin;

import java.util.List;
import java.util.Objects;

/**
 * Where {@link GroupAdmin#resetOffsets} moves a group's committed offsets: the earliest retained
 * record, the log end, or the first record at or after a time; for the given topics, or every
 * topic the group has offsets for.
 *
 * @param to {@code earliest}, {@code latest} or {@code timestamp}
 * @param timestampMs for {@code timestamp}: milliseconds since the epoch; else null
 * @param topics the topics to reset; empty: all the group's topics
 */
public record OffsetReset(String to, Long timestampMs, List<String> topics) {
    public static final String EARLIEST = "earliest";
    public static final String LATEST = "latest";
    public static final String TIMESTAMP = "timestamp";

    public OffsetReset {
        Objects.requireNonNull(to, "to");
        if (!to.equals(EARLIEST) && !to.equals(LATEST) && !to.equals(TIMESTAMP)) {
            throw new IllegalArgumentException("to must be earliest, latest or timestamp, not '" + to + "'");
        }
        if (to.equals(TIMESTAMP) != (timestampMs != null)) {
            throw new IllegalArgumentException("a timestamp goes with to=timestamp, and only with it");
        }
        topics = topics == null ? List.of() : List.copyOf(topics);
    }

    public static OffsetReset toEarliest() {
        return new OffsetReset(EARLIEST, null, List.of());
    }

    public static OffsetReset toLatest() {
        return new OffsetReset(LATEST, null, List.of());
    }

    public static OffsetReset toTimestamp(long timestampMs) {
        return new OffsetReset(TIMESTAMP, timestampMs, List.of());
    }

    /** The same reset for these topics only. */
    public OffsetReset forTopics(List<String> topics) {
        return new OffsetReset(to, timestampMs, topics);
    }
}
